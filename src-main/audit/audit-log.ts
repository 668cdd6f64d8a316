import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { WhereClause } from '../db/where-clause';
import type { Actor } from '../kernel/actor';
import { AUDIT_SUBJECTS_PREVIEW, type AuditAction, type AuditChange, type AuditEntry, type AuditSubjects } from '../../src-shared/schemas/audit';
import { isoFromMs } from '../kernel/clock';

interface AuditRecord {
  action: AuditAction;
  targetType: string;
  targetId?: string | number | null;
  /** Facts of the action (counts, parameters); callers pass field names and non-secret values only. */
  summary?: Record<string, unknown>;
  /** An update's field-by-field diff, from `fieldChanges` (secrets already reduced to "changed"). */
  changes?: readonly AuditChange[];
  /** Every username a bulk action or import touched: one entry for all of them. */
  subjects?: readonly string[];
}

/** Appends one audit row; call it inside the transaction that makes the change. */
export function recordAudit(db: Db, at: number, actor: Actor, record: AuditRecord): void {
  statement(
    db,
    `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, summary, changes, subjects, subject_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    at,
    actor.id,
    actor.name,
    record.action,
    record.targetType,
    record.targetId === undefined || record.targetId === null ? null : String(record.targetId),
    JSON.stringify(record.summary ?? {}),
    JSON.stringify(record.changes ?? []),
    record.subjects ? JSON.stringify(record.subjects) : null,
    record.subjects?.length ?? 0,
  );
}

interface AuditFilter {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  fromMs?: number;
  toMs?: number;
}

interface AuditRow {
  id: number;
  at: number;
  actor_id: number | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  summary: string;
  changes: string;
  subject_count: number;
  subjects_preview: string | null;
}

function whereOf(filter: AuditFilter): WhereClause {
  return new WhereClause()
    .when('action = ?', filter.action)
    .when('actor_name = ?', filter.actor)
    .when('target_type = ?', filter.targetType)
    .when('target_id = ?', filter.targetId)
    .when('at >= ?', filter.fromMs)
    .when('at < ?', filter.toMs);
}

/** A page of entries, newest first; each carries only the first few subjects (a bulk may hold 100,000). */
export function listAudit(
  db: Db,
  filter: AuditFilter,
  page: number,
  pageSize: number,
): { items: AuditEntry[]; total: number } {
  const where = whereOf(filter);
  const total = (statement(db, `SELECT count(*) AS n FROM audit_log ${where.sql}`).get(...where.params) as { n: number }).n;
  const rows = statement(
    db,
    `SELECT id, at, actor_id, actor_name, action, target_type, target_id, summary, changes, subject_count,
       (SELECT json_group_array(value) FROM (SELECT value FROM json_each(audit_log.subjects) LIMIT ${AUDIT_SUBJECTS_PREVIEW})) AS subjects_preview
     FROM audit_log ${where.sql} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`,
  ).all(...where.params, pageSize, (page - 1) * pageSize) as AuditRow[];
  return {
    total,
    items: rows.map((row) => ({
      id: row.id,
      at: isoFromMs(row.at),
      actorId: row.actor_id,
      actorName: row.actor_name,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      summary: JSON.parse(row.summary) as Record<string, unknown>,
      changes: JSON.parse(row.changes) as AuditChange[],
      subjectCount: row.subject_count,
      subjectsPreview: row.subjects_preview ? (JSON.parse(row.subjects_preview) as string[]) : [],
    })),
  };
}

/** Every subject of one entry, or undefined when there is no such entry. */
export function auditSubjects(db: Db, id: number): AuditSubjects | undefined {
  const row = statement(db, 'SELECT id, action, subjects FROM audit_log WHERE id = ?').get(id) as
    | { id: number; action: string; subjects: string | null }
    | undefined;
  return row && { id: row.id, action: row.action, subjects: row.subjects ? (JSON.parse(row.subjects) as string[]) : [] };
}

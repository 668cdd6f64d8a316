import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { pageOfRows, WhereClause } from '../db/where-clause';
import type { Actor } from '../kernel/actor';
import type { AuditEntry } from '../../src-shared/schemas/audit';
import { isoFromMs } from '../kernel/clock';

interface AuditRecord {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  /** What changed; callers pass field names and non-secret values only. */
  summary?: Record<string, unknown>;
}

/** Appends one audit row; call it inside the transaction that makes the change. */
export function recordAudit(db: Db, at: number, actor: Actor, record: AuditRecord): void {
  statement(
    db,
    `INSERT INTO audit_log (at, actor_id, actor_name, action, target_type, target_id, summary)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    at,
    actor.id,
    actor.name,
    record.action,
    record.targetType,
    record.targetId === undefined || record.targetId === null ? null : String(record.targetId),
    JSON.stringify(record.summary ?? {}),
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

export function listAudit(
  db: Db,
  filter: AuditFilter,
  page: number,
  pageSize: number,
): { items: AuditEntry[]; total: number } {
  const { rows, total } = pageOfRows<AuditRow>(db, 'audit_log', whereOf(filter), 'at DESC, id DESC', page, pageSize);
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
    })),
  };
}

import type { CasContext } from '../kernel/context';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { systemActor, type Actor } from '../kernel/actor';
import { statement } from '../db/statements';
import { accountById, usernamesOf } from '../accounts/account-queries';
import { NotFoundError } from '../../src-shared/errors';
import type { Page } from '../../src-shared/schemas/common';
import type { SharingFlag, Suspension } from '../../src-shared/schemas/access';
import type ipaddr from 'ipaddr.js';
import { addressText } from '../../src-shared/net/ip-ranges';

interface Sighting {
  first: number;
  last: number;
  channels: Set<string>;
}

/** The address as sharing detection counts it: the address itself, or its /24 (IPv4) or /64 (IPv6) network. */
export function sharingSubject(address: ipaddr.IPv4 | ipaddr.IPv6 | null, ip: string, byNetwork: boolean): string {
  if (!address) return ip;
  if (!byNetwork) return addressText(address);
  if (address.kind() === 'ipv4') {
    const o = (address as ipaddr.IPv4).octets;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  const parts = (address as ipaddr.IPv6).parts;
  return `${parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}

interface SharingVerdict {
  flagged: boolean;
  suspended: boolean;
}

interface FlagRow {
  id: number;
  account_id: number;
  detected_at: number;
  window_minutes: number;
  address_count: number;
  evidence: string;
  suspended: 0 | 1;
  resolved_at: number | null;
}

/**
 * Credential-sharing detection: the same account seen from more than N addresses (or networks)
 * within T minutes is flagged with its evidence, and optionally suspended.
 */
export class SharingDetector {
  readonly #seen = new Map<number, Map<string, Sighting>>();
  readonly #lastFlag = new Map<number, number>();
  readonly #suspended = new Set<number>();

  constructor(private readonly ctx: CasContext) {
    for (const row of statement(ctx.db, 'SELECT account_id FROM account_suspensions').all() as Array<{ account_id: number }>) {
      this.#suspended.add(row.account_id);
    }
    ctx.events.on('accounts-changed', (ids) => {
      // A deleted account's suspension row goes with it (ON DELETE CASCADE); re-read the few that exist.
      if (ids === null || ids.some((id) => this.#suspended.has(id))) this.#reloadSuspensions();
    });
  }

  isSuspended(accountId: number): boolean {
    return this.#suspended.has(accountId);
  }

  /**
   * Records a sighting (a viewer request, a device sign-in or ECM fetch; `channelId` null when it
   * names no channel); flags (and maybe suspends) the account when it crosses the threshold.
   */
  observe(account: { id: number; username: string }, subject: string, channelId: string | null, now: number): SharingVerdict {
    const { sharingMaxAddresses, sharingWindowMinutes, sharingSuspend } = this.ctx.settings.get();
    if (sharingMaxAddresses === 0) return { flagged: false, suspended: false };
    const windowMs = sharingWindowMinutes * 60_000;
    let sightings = this.#seen.get(account.id);
    if (!sightings) this.#seen.set(account.id, (sightings = new Map<string, Sighting>()));
    let sighting = sightings.get(subject);
    if (!sighting) {
      sighting = { first: now, last: now, channels: new Set() };
      sightings.set(subject, sighting);
    }
    sighting.last = now;
    if (channelId !== null && sighting.channels.size < 20) sighting.channels.add(channelId);
    if (sightings.size <= sharingMaxAddresses) return { flagged: false, suspended: false };
    for (const [key, s] of sightings) if (s.last <= now - windowMs) sightings.delete(key);
    if (sightings.size <= sharingMaxAddresses) return { flagged: false, suspended: false };
    const last = this.#lastFlag.get(account.id);
    if (last !== undefined && last > now - windowMs) return { flagged: false, suspended: this.#suspended.has(account.id) };
    this.#lastFlag.set(account.id, now);
    const evidence = [...sightings.entries()].map(([address, s]) => ({
      address,
      firstSeen: isoFromMs(s.first),
      lastSeen: isoFromMs(s.last),
      channels: [...s.channels],
    }));
    const { db } = this.ctx;
    db.transaction(() => {
      const result = statement(
        db,
        `INSERT INTO sharing_flags (account_id, detected_at, window_minutes, address_count, evidence, suspended)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(account.id, now, sharingWindowMinutes, evidence.length, JSON.stringify(evidence), sharingSuspend ? 1 : 0);
      const flagId = Number(result.lastInsertRowid);
      if (sharingSuspend) {
        statement(db, 'INSERT OR IGNORE INTO account_suspensions (account_id, since, reason, flag_id) VALUES (?, ?, ?, ?)').run(
          account.id,
          now,
          'sharing',
          flagId,
        );
      }
      recordAudit(db, now, systemActor, {
        action: sharingSuspend ? 'access.sharing.suspend' : 'access.sharing.flag',
        targetType: 'account',
        targetId: account.id,
        summary: { username: account.username, addresses: evidence.length, windowMinutes: sharingWindowMinutes, flagId },
      });
    })();
    this.ctx.logger.warn({ accountId: account.id, addresses: evidence.length }, 'possible credential sharing');
    if (sharingSuspend) this.#suspended.add(account.id);
    return { flagged: true, suspended: sharingSuspend };
  }

  suspend(accountId: number, reason: string, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      if (!accountById(db, accountId)) throw new NotFoundError('account_not_found', { id: accountId }, 'Account not found');
      const now = clock.now();
      statement(db, 'INSERT OR REPLACE INTO account_suspensions (account_id, since, reason, flag_id) VALUES (?, ?, ?, NULL)').run(
        accountId,
        now,
        reason,
      );
      recordAudit(db, now, actor, { action: 'access.suspend', targetType: 'account', targetId: accountId, summary: { reason } });
    })();
    this.#suspended.add(accountId);
  }

  lift(accountId: number, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const changes = statement(db, 'DELETE FROM account_suspensions WHERE account_id = ?').run(accountId).changes;
      if (changes === 0) throw new NotFoundError('suspension_not_found', { id: accountId }, 'Suspension not found');
      const now = clock.now();
      statement(db, 'UPDATE sharing_flags SET resolved_at = ? WHERE account_id = ? AND resolved_at IS NULL').run(now, accountId);
      recordAudit(db, now, actor, { action: 'access.suspension.lift', targetType: 'account', targetId: accountId });
    })();
    this.#suspended.delete(accountId);
    this.#seen.delete(accountId);
    this.#lastFlag.delete(accountId);
  }

  resolveFlag(id: number, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const now = clock.now();
      const changes = statement(db, 'UPDATE sharing_flags SET resolved_at = coalesce(resolved_at, ?) WHERE id = ?').run(now, id).changes;
      if (changes === 0) throw new NotFoundError('sharing_flag_not_found', { id }, 'Sharing flag not found');
      recordAudit(db, now, actor, { action: 'access.sharing.resolve', targetType: 'sharing_flag', targetId: id });
    })();
  }

  flags(filter: { accountId?: number; open?: boolean }, page: number, pageSize: number): Page<SharingFlag> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.accountId !== undefined) {
      clauses.push('f.account_id = ?');
      params.push(filter.accountId);
    }
    if (filter.open === true) clauses.push('f.resolved_at IS NULL');
    if (filter.open === false) clauses.push('f.resolved_at IS NOT NULL');
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const total = (statement(this.ctx.db, `SELECT count(*) AS n FROM sharing_flags f ${where}`).get(...params) as { n: number }).n;
    const rows = statement(
      this.ctx.db,
      `SELECT f.* FROM sharing_flags f ${where} ORDER BY f.detected_at DESC, f.id DESC LIMIT ? OFFSET ?`,
    ).all(...params, pageSize, (page - 1) * pageSize) as FlagRow[];
    const usernames = usernamesOf(
      this.ctx.db,
      rows.map((r) => r.account_id),
    );
    return {
      items: rows.map((row) => ({
        id: row.id,
        accountId: row.account_id,
        username: usernames.get(row.account_id) ?? null,
        detectedAt: isoFromMs(row.detected_at),
        windowMinutes: row.window_minutes,
        addressCount: row.address_count,
        evidence: JSON.parse(row.evidence) as SharingFlag['evidence'],
        suspended: row.suspended === 1,
        resolvedAt: isoOrNull(row.resolved_at),
      })),
      total,
      page,
      pageSize,
    };
  }

  openFlagCount(): number {
    return (statement(this.ctx.db, 'SELECT count(*) AS n FROM sharing_flags WHERE resolved_at IS NULL').get() as { n: number }).n;
  }

  suspensions(): Suspension[] {
    const rows = statement(
      this.ctx.db,
      'SELECT account_id, since, reason, flag_id FROM account_suspensions ORDER BY since DESC',
    ).all() as Array<{ account_id: number; since: number; reason: string; flag_id: number | null }>;
    const usernames = usernamesOf(
      this.ctx.db,
      rows.map((r) => r.account_id),
    );
    return rows.map((r) => ({ accountId: r.account_id, username: usernames.get(r.account_id) ?? null, since: isoFromMs(r.since), reason: r.reason, flagId: r.flag_id }));
  }

  /** Forgets sightings older than the window (keeps memory bounded). */
  sweep(now: number): void {
    const windowMs = this.ctx.settings.get().sharingWindowMinutes * 60_000;
    for (const [accountId, sightings] of this.#seen) {
      for (const [key, s] of sightings) if (s.last <= now - windowMs) sightings.delete(key);
      if (sightings.size === 0) this.#seen.delete(accountId);
    }
    for (const [accountId, at] of this.#lastFlag) if (at <= now - windowMs) this.#lastFlag.delete(accountId);
  }

  #reloadSuspensions(): void {
    this.#suspended.clear();
    for (const row of statement(this.ctx.db, 'SELECT account_id FROM account_suspensions').all() as Array<{ account_id: number }>) {
      this.#suspended.add(row.account_id);
    }
  }
}

import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { randomToken, sha256Hex } from '../crypto/tokens';
import { accountById } from '../accounts/account-queries';
import { deviceById } from '../accounts/account-device-queries';
import type { Diagnostics } from '../kernel/diagnostics';
import { NotFoundError, UnauthorizedError } from '../../src-shared/errors';
import type { Page } from '../../src-shared/schemas/common';
import type { DeviceSession } from '../../src-shared/schemas/devices';
import {
  deleteConnectionSessions,
  deleteDeviceSession,
  deleteSessionsOfAccount,
  deleteSessionsOfAccounts,
  deviceSessionByHash,
  deviceSessionById,
  insertDeviceSession,
  listDeviceSessionRows,
  sweepDeviceSessions,
  sweepNonces,
  touchDeviceSession,
} from './device-queries';

const DEVICE_SESSION_PREFIX = 'dvs_';
/** last_seen_at is written at most this often per session (requests stay read-only otherwise). */
const TOUCH_EVERY_MS = 60_000;

/** A device that presented a valid session bearer. */
export interface DeviceCaller {
  sessionId: number;
  deviceId: number;
  accountId: number;
  expiresAt: number;
  /** The address the session signed in from. */
  signInIp: string;
  /** The signed-in device as bound to the account (null once it was unbound). */
  device: { hwid: string; boxPublicKey: Uint8Array | null } | null;
}

interface HeldSession extends DeviceCaller {
  lastSeenAt: number;
}

/** Cached sessions beyond this are dropped wholesale (they reload from indexed reads). */
const MAX_HELD_SESSIONS = 200_000;

/**
 * Short-lived bearer sessions of signed-in devices; revocable by the operator, and ended at once
 * when the account's trust changes or the device's connection is ended (see DeviceAuthorizer).
 *
 * ECM and EMM requests find their session (and its device) in memory, read once by token hash.
 * An account's sessions are forgotten whenever anything about them may change: a session of the
 * account opened, revoked or ended, or `accounts-changed` / `account-trust-changed` (which also
 * covers a device unbound); expiry is checked at every request.
 */
export class DeviceSessions {
  readonly #held = new Map<string, HeldSession>();
  readonly #hashesOfAccount = new Map<number, Set<string>>();

  constructor(
    private readonly ctx: CasContext,
    private readonly diagnostics: Diagnostics,
  ) {
    ctx.events.on('account-trust-changed', ({ ids }) => {
      deleteSessionsOfAccounts(ctx.db, ids);
      for (const id of ids) this.#forgetAccount(id);
    });
    ctx.events.on('accounts-changed', (ids) => {
      if (ids === null) this.#forgetAll();
      else for (const id of ids) this.#forgetAccount(id);
    });
  }

  /** Forgets sign-in nonces whose timestamps left the window and sessions that expired. */
  sweep(): { nonces: number; sessions: number } {
    const now = this.ctx.clock.now();
    for (const [hash, held] of this.#held) if (held.expiresAt <= now) this.#forget(hash, held.accountId);
    return { nonces: sweepNonces(this.ctx.db, now), sessions: sweepDeviceSessions(this.ctx.db, now) };
  }

  /** Opens a session; call inside the sign-in transaction. Returns the bearer (shown once). */
  open(deviceId: number, accountId: number, ip: string): { token: string; expiresAt: number } {
    const now = this.ctx.clock.now();
    const token = `${DEVICE_SESSION_PREFIX}${randomToken()}`;
    const expiresAt = now + this.ctx.settings.get().deviceSessionMinutes * 60_000;
    // The sign-in may have changed the device (its box key): its other sessions reload.
    this.#forgetAccount(accountId);
    insertDeviceSession(this.ctx.db, {
      token_hash: sha256Hex(token),
      device_id: deviceId,
      account_id: accountId,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
      ip,
    });
    return { token, expiresAt };
  }

  /**
   * The device behind `Authorization: Bearer dvs_…`. A revoked or expired session is 401
   * `session_invalid`; the account's state is the access decision's to check (callers do).
   */
  authenticate(koa: Context): DeviceCaller {
    const match = /^Bearer\s+(\S+)$/i.exec(koa.get('authorization'));
    if (!match || !match[1].startsWith(DEVICE_SESSION_PREFIX)) {
      throw new UnauthorizedError('device_session_required', {}, 'A device session is required (sign in at /api/v1/client/auth)', 'session_invalid');
    }
    const now = this.ctx.clock.now();
    const hash = sha256Hex(match[1]);
    const session = this.#held.get(hash) ?? this.#read(hash);
    if (!session || session.expiresAt <= now) {
      throw new UnauthorizedError('device_session_expired', {}, 'The device session expired or was revoked; sign in again', 'session_invalid');
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      touchDeviceSession(this.ctx.db, session.sessionId, now);
      session.lastSeenAt = now;
    }
    const { lastSeenAt: _lastSeenAt, ...caller } = session;
    return caller;
  }

  #read(hash: string): HeldSession | undefined {
    const { db } = this.ctx;
    this.diagnostics.count('deviceSessionReads');
    const row = deviceSessionByHash(db, hash);
    if (!row) return undefined;
    const device = deviceById(db, row.device_id);
    const held: HeldSession = {
      sessionId: row.id,
      deviceId: row.device_id,
      accountId: row.account_id,
      expiresAt: row.expires_at,
      signInIp: row.ip ?? '',
      device: device ? { hwid: device.hwid, boxPublicKey: device.box_public_key } : null,
      lastSeenAt: row.last_seen_at,
    };
    if (this.#held.size >= MAX_HELD_SESSIONS) this.#forgetAll();
    this.#held.set(hash, held);
    let hashes = this.#hashesOfAccount.get(row.account_id);
    if (!hashes) this.#hashesOfAccount.set(row.account_id, (hashes = new Set()));
    hashes.add(hash);
    return held;
  }

  #forget(hash: string, accountId: number): void {
    this.#held.delete(hash);
    this.#hashesOfAccount.get(accountId)?.delete(hash);
  }

  #forgetAccount(accountId: number): void {
    for (const hash of this.#hashesOfAccount.get(accountId) ?? []) this.#held.delete(hash);
    this.#hashesOfAccount.delete(accountId);
  }

  #forgetAll(): void {
    this.#held.clear();
    this.#hashesOfAccount.clear();
  }

  /** Ends the sessions of a device connection whose viewing session ended (over the limit, by an operator, ...). */
  endConnection(accountId: number, deviceId: number, signInIp: string): void {
    deleteConnectionSessions(this.ctx.db, accountId, deviceId, signInIp);
    this.#forgetAccount(accountId);
  }

  list(filter: { accountId?: number; deviceId?: number }, page: number, pageSize: number): Page<DeviceSession> {
    const { rows, total } = listDeviceSessionRows(this.ctx.db, filter, this.ctx.clock.now(), page, pageSize);
    return {
      items: rows.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        username: r.username,
        deviceId: r.device_id,
        hwid: r.hwid,
        createdAt: isoFromMs(r.created_at),
        expiresAt: isoFromMs(r.expires_at),
        lastSeenAt: isoFromMs(r.last_seen_at),
        ip: r.ip,
      })),
      total,
      page,
      pageSize,
    };
  }

  revoke(id: number, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = deviceSessionById(db, id);
      if (!row) throw new NotFoundError('device_session_not_found', { id }, 'Device session not found');
      deleteDeviceSession(db, id);
      this.#forgetAccount(row.account_id);
      recordAudit(db, clock.now(), actor, {
        action: 'device.session.revoke',
        targetType: 'account',
        targetId: row.account_id,
        summary: { session: id, device: row.device_id },
      });
    })();
  }

  /** Ends every session of an account (or of one of its devices); returns how many. */
  revokeAll(accountId: number, deviceId: number | undefined, actor: Actor): number {
    const { db, clock } = this.ctx;
    return db.transaction(() => {
      if (!accountById(db, accountId)) throw new NotFoundError('account_not_found', { id: accountId }, 'Account not found');
      const changes = deleteSessionsOfAccount(db, accountId, deviceId);
      this.#forgetAccount(accountId);
      recordAudit(db, clock.now(), actor, {
        action: 'device.session.revoke-all',
        targetType: 'account',
        targetId: accountId,
        summary: { device: deviceId ?? null, revoked: changes },
      });
      return changes;
    })();
  }
}

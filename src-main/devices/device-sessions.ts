import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { randomToken, sha256Hex } from '../crypto/tokens';
import { accountById } from '../accounts/account-queries';
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
}

/**
 * Short-lived bearer sessions of signed-in devices; revocable by the operator, and ended at once
 * when the account's trust changes or the device's connection is ended (see DeviceAuthorizer).
 */
export class DeviceSessions {
  constructor(private readonly ctx: CasContext) {
    ctx.events.on('account-trust-changed', ({ ids }) => deleteSessionsOfAccounts(ctx.db, ids));
  }

  /** Forgets sign-in nonces whose timestamps left the window and sessions that expired. */
  sweep(): { nonces: number; sessions: number } {
    const now = this.ctx.clock.now();
    return { nonces: sweepNonces(this.ctx.db, now), sessions: sweepDeviceSessions(this.ctx.db, now) };
  }

  /** Opens a session; call inside the sign-in transaction. Returns the bearer (shown once). */
  open(deviceId: number, accountId: number, ip: string): { token: string; expiresAt: number } {
    const now = this.ctx.clock.now();
    const token = `${DEVICE_SESSION_PREFIX}${randomToken()}`;
    const expiresAt = now + this.ctx.settings.get().deviceSessionMinutes * 60_000;
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
    const { db, clock } = this.ctx;
    const now = clock.now();
    const session = deviceSessionByHash(db, sha256Hex(match[1]));
    if (!session || session.expires_at <= now) {
      throw new UnauthorizedError('device_session_expired', {}, 'The device session expired or was revoked; sign in again', 'session_invalid');
    }
    if (now - session.last_seen_at >= TOUCH_EVERY_MS) touchDeviceSession(db, session.id, now);
    return {
      sessionId: session.id,
      deviceId: session.device_id,
      accountId: session.account_id,
      expiresAt: session.expires_at,
      signInIp: session.ip ?? '',
    };
  }

  /** Ends the sessions of a device connection whose viewing session ended (over the limit, by an operator, ...). */
  endConnection(accountId: number, deviceId: number, signInIp: string): void {
    deleteConnectionSessions(this.ctx.db, accountId, deviceId, signInIp);
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

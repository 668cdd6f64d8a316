import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { verifyPassword } from '../crypto/passwords';
import { randomToken, sha256Hex } from '../crypto/tokens';
import { ApiError, UnauthorizedError } from '../../src-shared/errors';
import type { LoginResponse } from '../../src-shared/schemas/admin-auth';
import type { Principal } from '../http/principal';
import { accountById, accountByUsername, hasAdminAccount } from '../accounts/account-queries';
import {
  adminSessionByHash,
  clearLoginFailures,
  deleteAdminSession,
  deleteAdminSessionsOf,
  deleteExpiredAdminSessions,
  insertAdminSession,
  loginFailureOf,
  saveLoginFailure,
  touchAdminSession,
} from './admin-session-queries';
import { authenticateApiKey, API_KEY_PREFIX } from '../api-keys/api-key-service';

const TOUCH_INTERVAL_MS = 60_000;

class LockedOutError extends ApiError {
  constructor(lockedUntil: number) {
    const until = isoFromMs(lockedUntil);
    super(429, 'locked_out', { lockedUntil: until }, 'Too many failed sign-ins; this account is locked for a while', { details: { lockedUntil: until } });
  }
}

/** Operator sign-in: scrypt-checked passwords, lockout after repeated failures, bearer sessions. */
export class AdminSessions {
  constructor(private readonly ctx: CasContext) {
    ctx.events.on('account-trust-changed', ({ ids, keepAdminSession }) => this.#endSessionsOf(ids, keepAdminSession));
  }

  /** Checks a password and opens a session; only admins and observers may sign in. */
  async login(username: string, password: string, ip: string): Promise<LoginResponse> {
    const { db, clock, settings } = this.ctx;
    const lock = loginFailureOf(db, username);
    if (lock?.locked_until && lock.locked_until > clock.now()) throw new LockedOutError(lock.locked_until);

    const row = accountByUsername(db, username);
    const passwordOk = await verifyPassword(password, row?.password_hash ?? null);
    const now = clock.now();
    if (!row || !passwordOk || row.role === 'user') {
      this.#recordFailure(username, now);
      throw new UnauthorizedError('wrong_credentials', {}, 'Wrong username or password', 'credentials');
    }
    // Only someone who knows the password learns why the account cannot sign in.
    if (row.enabled !== 1) throw new ApiError(403, 'account_disabled', {}, 'This operator account is disabled; another administrator can enable it');
    if (row.expires_at !== null && row.expires_at <= now) {
      const expiredAt = isoFromMs(row.expires_at);
      throw new ApiError(403, 'account_expired', { expiredAt }, 'This operator account has expired; another administrator can extend it', { details: { expiredAt } });
    }
    const token = randomToken();
    const expiresAt = now + settings.get().adminSessionHours * 3_600_000;
    db.transaction(() => {
      clearLoginFailures(db, username);
      deleteExpiredAdminSessions(db, now);
      insertAdminSession(db, { token_hash: sha256Hex(token), account_id: row.id, created_at: now, expires_at: expiresAt, last_seen_at: now, ip });
      recordAudit(db, now, { id: row.id, name: row.username }, { action: 'admin.login', targetType: 'account', targetId: row.id, summary: { ip } });
    })();
    return {
      token,
      expiresAt: isoFromMs(expiresAt),
      user: { id: row.id, username: row.username, role: row.role },
    };
  }

  /**
   * Opens a session without a password, for the operator at the desktop app itself
   * (the shell decides whether that is allowed). Audited like a sign-in.
   */
  openTrustedSession(accountId: number, via: string): LoginResponse {
    const { db, clock, settings } = this.ctx;
    const row = accountById(db, accountId);
    if (!row || row.role === 'user' || row.enabled !== 1) throw new UnauthorizedError('no_such_operator', {}, 'No such operator');
    const now = clock.now();
    const token = randomToken();
    const expiresAt = now + settings.get().adminSessionHours * 3_600_000;
    db.transaction(() => {
      insertAdminSession(db, { token_hash: sha256Hex(token), account_id: row.id, created_at: now, expires_at: expiresAt, last_seen_at: now, ip: via });
      recordAudit(db, now, { id: row.id, name: row.username }, { action: 'admin.login', targetType: 'account', targetId: row.id, summary: { via } });
    })();
    return { token, expiresAt: isoFromMs(expiresAt), user: { id: row.id, username: row.username, role: row.role } };
  }

  logout(principal: Principal): void {
    if (principal.kind !== 'session') return;
    deleteAdminSession(this.ctx.db, principal.sessionHash);
  }

  /** The caller of an admin request: a session bearer token or an API key. */
  authenticate(ctx: Context): Principal | null {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return null;
    const credential = match[1];
    if (credential.startsWith(API_KEY_PREFIX)) return authenticateApiKey(this.ctx, credential);
    return this.#sessionPrincipal(credential);
  }

  hasAdmin(): boolean {
    return hasAdminAccount(this.ctx.db);
  }

  #sessionPrincipal(token: string): Principal | null {
    const { db, clock } = this.ctx;
    const hash = sha256Hex(token);
    const session = adminSessionByHash(db, hash);
    const account = session && accountById(db, session.account_id);
    const now = clock.now();
    if (!session || !account || session.expires_at <= now || account.enabled !== 1 || account.role === 'user') return null;
    if (account.expires_at !== null && account.expires_at <= now) return null;
    if (now - session.last_seen_at > TOUCH_INTERVAL_MS) {
      // Best effort: a full disk must not lock the operator out of the dashboard that shows it.
      try {
        touchAdminSession(db, hash, now);
        this.ctx.alarms.clear('admin-session-touch');
      } catch (error) {
        this.ctx.alarms.raise('admin-session-touch', error, null, 2 * TOUCH_INTERVAL_MS);
      }
    }
    return { kind: 'session', accountId: account.id, username: account.username, role: account.role, sessionHash: hash };
  }

  /** Ends the admin sessions of these accounts at once (all but `keep`, a session hash). */
  #endSessionsOf(ids: readonly number[], keep: string | undefined): void {
    deleteAdminSessionsOf(this.ctx.db, ids, keep ?? null);
  }

  #recordFailure(username: string, now: number): void {
    const { db, settings } = this.ctx;
    const { loginMaxAttempts, loginLockoutMinutes } = settings.get();
    const windowMs = loginLockoutMinutes * 60_000;
    db.transaction(() => {
      const existing = loginFailureOf(db, username);
      const fresh = !existing || now - existing.first_failed_at > windowMs;
      const failures = fresh ? 1 : existing.failures + 1;
      const lockedUntil = failures >= loginMaxAttempts ? now + windowMs : null;
      saveLoginFailure(db, { username, failures, first_failed_at: fresh ? now : existing.first_failed_at, locked_until: lockedUntil });
      if (lockedUntil) {
        recordAudit(db, now, { id: null, name: 'system' }, {
          action: 'admin.lockout',
          targetType: 'account',
          targetId: username,
          summary: { failures, lockedUntil: isoFromMs(lockedUntil) },
        });
      }
    })();
  }
}

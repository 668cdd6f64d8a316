import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { verifyPassword } from '../crypto/passwords';
import { randomToken, sha256Hex } from '../crypto/tokens';
import { statement } from '../db/statements';
import { ApiError, UnauthorizedError } from '../../src-shared/errors';
import type { LoginResponse } from '../../src-shared/schemas/admin-auth';
import type { Principal } from '../http/principal';
import { accountByUsername, type AccountRow } from '../accounts/account-queries';
import { authenticateApiKey, API_KEY_PREFIX } from '../api-keys/api-key-service';

const TOUCH_INTERVAL_MS = 60_000;

export class LockedOutError extends ApiError {
  constructor(lockedUntil: number) {
    super(429, 'locked', 'Too many failed sign-ins; this account is locked for a while', {
      details: { lockedUntil: isoFromMs(lockedUntil) },
    });
  }
}

interface SessionJoinRow {
  account_id: number;
  username: string;
  role: AccountRow['role'];
  enabled: 0 | 1;
  expires_at: number;
  account_expires_at: number | null;
  last_seen_at: number;
}

/** Operator sign-in: scrypt-checked passwords, lockout after repeated failures, bearer sessions. */
export class AdminSessions {
  constructor(private readonly ctx: CasContext) {
    ctx.events.on('account-trust-changed', ({ ids, keepAdminSession }) => this.#endSessionsOf(ids, keepAdminSession));
  }

  /** Checks a password and opens a session; only admins and observers may sign in. */
  async login(username: string, password: string, ip: string): Promise<LoginResponse> {
    const { db, clock, settings } = this.ctx;
    const lock = statement(db, 'SELECT locked_until FROM login_failures WHERE username = ?').get(username) as
      | { locked_until: number | null }
      | undefined;
    if (lock?.locked_until && lock.locked_until > clock.now()) throw new LockedOutError(lock.locked_until);

    const row = accountByUsername(db, username);
    const passwordOk = await verifyPassword(password, row?.password_hash ?? null);
    const now = clock.now();
    const usable = row && passwordOk && row.enabled === 1 && row.role !== 'user' && (row.expires_at === null || row.expires_at > now);
    if (!usable) {
      this.#recordFailure(username, now);
      throw new UnauthorizedError('Wrong username or password', 'credentials');
    }
    const token = randomToken();
    const expiresAt = now + settings.get().adminSessionHours * 3_600_000;
    db.transaction(() => {
      statement(db, 'DELETE FROM login_failures WHERE username = ?').run(username);
      statement(db, 'DELETE FROM admin_sessions WHERE expires_at <= ?').run(now);
      statement(
        db,
        'INSERT INTO admin_sessions (token_hash, account_id, created_at, expires_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(sha256Hex(token), row.id, now, expiresAt, now, ip);
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
    const row = statement(db, 'SELECT * FROM accounts WHERE id = ?').get(accountId) as AccountRow | undefined;
    if (!row || row.role === 'user' || row.enabled !== 1) throw new UnauthorizedError('No such operator');
    const now = clock.now();
    const token = randomToken();
    const expiresAt = now + settings.get().adminSessionHours * 3_600_000;
    db.transaction(() => {
      statement(
        db,
        'INSERT INTO admin_sessions (token_hash, account_id, created_at, expires_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(sha256Hex(token), row.id, now, expiresAt, now, via);
      recordAudit(db, now, { id: row.id, name: row.username }, { action: 'admin.login', targetType: 'account', targetId: row.id, summary: { via } });
    })();
    return { token, expiresAt: isoFromMs(expiresAt), user: { id: row.id, username: row.username, role: row.role } };
  }

  logout(principal: Principal): void {
    if (principal.kind !== 'session') return;
    statement(this.ctx.db, 'DELETE FROM admin_sessions WHERE token_hash = ?').run(principal.sessionHash);
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
    return statement(this.ctx.db, "SELECT 1 FROM accounts WHERE role = 'admin' LIMIT 1").get() !== undefined;
  }

  #sessionPrincipal(token: string): Principal | null {
    const { db, clock } = this.ctx;
    const hash = sha256Hex(token);
    const row = statement(
      db,
      `SELECT s.account_id, s.expires_at, s.last_seen_at, a.username, a.role, a.enabled, a.expires_at AS account_expires_at
       FROM admin_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`,
    ).get(hash) as SessionJoinRow | undefined;
    const now = clock.now();
    if (!row || row.expires_at <= now || row.enabled !== 1 || row.role === 'user') return null;
    if (row.account_expires_at !== null && row.account_expires_at <= now) return null;
    if (now - row.last_seen_at > TOUCH_INTERVAL_MS) {
      // Best effort: a full disk must not lock the operator out of the dashboard that shows it.
      try {
        statement(db, 'UPDATE admin_sessions SET last_seen_at = ? WHERE token_hash = ?').run(now, hash);
        this.ctx.alarms.clear('admin-session-touch');
      } catch (error) {
        this.ctx.alarms.raise('admin-session-touch', error, null, 2 * TOUCH_INTERVAL_MS);
      }
    }
    return { kind: 'session', accountId: row.account_id, username: row.username, role: row.role, sessionHash: hash };
  }

  /** Ends the admin sessions of these accounts at once (all but `keep`, a session hash). */
  #endSessionsOf(ids: readonly number[], keep: string | undefined): void {
    statement(
      this.ctx.db,
      'DELETE FROM admin_sessions WHERE account_id IN (SELECT value FROM json_each(?)) AND token_hash IS NOT ?',
    ).run(JSON.stringify(ids), keep ?? null);
  }

  #recordFailure(username: string, now: number): void {
    const { db, settings } = this.ctx;
    const { loginMaxAttempts, loginLockoutMinutes } = settings.get();
    const windowMs = loginLockoutMinutes * 60_000;
    db.transaction(() => {
      const existing = statement(db, 'SELECT failures, first_failed_at FROM login_failures WHERE username = ?').get(username) as
        | { failures: number; first_failed_at: number }
        | undefined;
      const fresh = !existing || now - existing.first_failed_at > windowMs;
      const failures = fresh ? 1 : existing.failures + 1;
      const lockedUntil = failures >= loginMaxAttempts ? now + windowMs : null;
      statement(
        db,
        `INSERT INTO login_failures (username, failures, first_failed_at, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT(username) DO UPDATE SET failures = excluded.failures,
           first_failed_at = excluded.first_failed_at, locked_until = excluded.locked_until`,
      ).run(username, failures, fresh ? now : existing.first_failed_at, lockedUntil);
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

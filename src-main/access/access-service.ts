import type ipaddr from 'ipaddr.js';
import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import { verifyPassword } from '../crypto/passwords';
import { sha256Hex } from '../crypto/tokens';
import { pruneViewingHistory } from './viewing-session-queries';
import { addressText, formatIpRange, parseIpAddress } from '../../src-shared/net/ip-ranges';
import type { AccessStep, Explanation, ExplainStepCode, ExplainStepParams } from '../../src-shared/schemas/access';
import { explainStepDetail } from './explain-step-details';
import type { Settings } from '../../src-shared/schemas/settings';
import type { Diagnostics } from '../kernel/diagnostics';
import type { UrlSigner } from './url-signing/url-signer';
import type { KeyTickets } from './viewer-tickets';
import type { AccessDecider, AccessDecision, RefusalReason, RefusedDecision, ViewerCredential, ViewerRequest } from './access-types';
import { AccessLogWriter, capAccessLog, pruneAccessLog, type AccessLogRecord, type PendingAccessRow } from './access-log';
import { CredentialFailures, PasswordCheckQueue, VerifiedPasswords } from './credential-guards';
import { RefusalThrottle, refusalSubject } from './refusal-throttle';
import { anyRangeMatches, type IpLists } from './ip-lists';
import { sharingSubject, type SharingDetector } from './sharing';
import { entitled, type ViewerAccount, type ViewerChannel, type ViewerDirectory } from './viewer-directory';
import { DEVICE_CHANNEL, deviceSessionKey, viewerSessionKey, type LiveSession, type ViewingSessions } from './viewing-sessions';
import { accountOfSalt } from './url-signing/securetoken';
import { parseSecuretoken } from '../../src-shared/protocol/securetoken';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The canonical text of an address, or null for none. */
function textOf(address: Address | null): string | null {
  return address ? addressText(address) : null;
}

/**
 * Longest one background write transaction runs on the main thread (plus its commit): a decision
 * arriving meanwhile waits at most about this long.
 */
const SLICE_BUDGET_MS = 2;
/** The alarm raised while buffered access history cannot be written (full disk, I/O error). */
const WRITE_ALARM = 'access-log-write';

/** Records the checks of one evaluation, for the explanation API (absent on the hot path). */
type Trace = AccessStep[] | null;

/** Records one step as a code with its params (and its English sentence); a `date` param is also the step's `at`. */
function step<C extends ExplainStepCode>(trace: Trace, check: AccessStep['check'], outcome: AccessStep['outcome'], code: C, params: ExplainStepParams<C>): void {
  if (!trace) return;
  const values: Record<string, string | number> = params;
  const detail = explainStepDetail(code, params);
  trace.push(typeof values.date === 'string' ? { check, outcome, code, params: values, detail, at: values.date } : { check, outcome, code, params: values, detail });
}

/** The account a refusal names (never more than id and username). */
function who(account: ViewerAccount | null | undefined): { id: number; username: string } | null {
  return account ? { id: account.id, username: account.username } : null;
}

/** The slot a session is admitted to, and what it records. */
interface SessionSlot {
  channelId: string;
  key: string;
  source: string;
  userAgent: string | null;
  bytes?: number;
}

/** A signed-in device asking to hold (or refresh) its connection. */
interface DeviceConnection {
  deviceId: number;
  hwid: string;
  /** The address it signed in from: with the device, it names the connection. */
  signInIp: string;
}

export type DeviceAdmission = { ok: true; sessionId: number } | { ok: false; reason: 'connection_limit' | 'session_ended' | 'suspended' };

/** What the decision reads and keeps: built by the composition root, shared with the routes that show them. */
interface AccessParts {
  directory: ViewerDirectory;
  ipLists: IpLists;
  sessions: ViewingSessions;
  sharing: SharingDetector;
  urlSigner: UrlSigner;
  /** Issues and verifies the tickets the CAS writes into URLs instead of any credential. */
  tickets: KeyTickets;
  diagnostics: Diagnostics;
}

type CredentialOutcome =
  | { ok: true; account: ViewerAccount }
  | { ok: true; account: null; signed: true }
  | { ok: false; reason: RefusalReason; account: ViewerAccount | null };

/**
 * The viewer access decision ("may this viewer watch this channel?"), answered from memory and
 * indexed reads: deny list, allow list, credential, account enabled and not expired (and not
 * suspended), the account's allowed IPs, the channel in one of its packages, and the connection
 * limit, enforced atomically on in-memory sessions. Every decision goes to the access log in batches.
 */
export class AccessService implements AccessDecider {
  readonly #directory: ViewerDirectory;
  readonly #ipLists: IpLists;
  readonly #sessions: ViewingSessions;
  readonly #sharing: SharingDetector;
  readonly #urlSigner: UrlSigner;
  readonly #tickets: KeyTickets;
  readonly #diagnostics: Diagnostics;
  readonly #log: AccessLogWriter;
  /** Refusals of unauthenticated viewers per address (see `throttled`). */
  readonly #refusals = new RefusalThrottle();
  readonly #passwords = new VerifiedPasswords();
  #flushing = false;
  readonly #failures = new CredentialFailures();
  readonly #passwordChecks = new PasswordCheckQueue();

  constructor(
    private readonly ctx: CasContext,
    parts: AccessParts,
    background: BackgroundTasks,
  ) {
    this.#directory = parts.directory;
    this.#ipLists = parts.ipLists;
    this.#sessions = parts.sessions;
    this.#sharing = parts.sharing;
    this.#urlSigner = parts.urlSigner;
    this.#tickets = parts.tickets;
    this.#diagnostics = parts.diagnostics;
    this.#log = new AccessLogWriter(ctx.db, () => void this.flushInSlices());
    ctx.events.on('accounts-changed', (ids) => this.#accountsChanged(ids));
    ctx.events.on('account-trust-changed', ({ ids }) => {
      for (const id of ids) this.#sessions.endAccount(id, ctx.clock.now(), 'account_changed');
    });
    ctx.settings.onChange((_settings, changed) => {
      if (changed.has('passwordCacheSeconds')) this.#passwords.clear();
    });
    background.every('access-flush', 1000, () => this.flushInSlices());
    background.every('access-session-sweep', 5000, () => this.sweep());
    background.every('access-retention', 3_600_000, () => this.pruneHistory(), { runNow: false });
    background.every('access-log-cap', 60_000, () => capAccessLog(ctx.db, ctx.settings.get().accessLogMaxRows), { runNow: true });
    background.onShutdown('access-flush', () => this.flush());
  }

  /** The access log's buffer: rows waiting to be written, and decisions dropped because it was full. */
  accessLogQueue(): { pending: number; dropped: number } {
    return { pending: this.#log.pending, dropped: this.#log.dropped };
  }

  /**
   * Writes every buffered session change, peak and access-log row now, in one transaction
   * (readers call this first). When the write fails the alarm is raised and readers carry on.
   */
  flush(): void {
    if (!this.ctx.db.open) return;
    this.#writeSlice({ force: true, relaxed: false });
  }

  /**
   * One transaction of session changes and access-log rows: all of them, or (with `budgetMs`) as
   * many as fit in that much time, rows of the open minute left to count on (`openMinuteAt`).
   * A failure (SQLITE_FULL, IOERR) never reaches the caller: the rows go back to the bounded
   * buffer and the write alarm is raised (logged once per interval, shown on `/healthz`); the next
   * success clears it. -1 on failure.
   */
  #writeSlice(options: { force: boolean; relaxed: boolean; budgetMs?: number; openMinuteAt?: number }): number {
    const now = this.ctx.clock.now();
    const deadline = performance.now() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
    const more = () => performance.now() < deadline;
    const taken: PendingAccessRow[] = [];
    const takenHourly = new Map<string, number>();
    const write = () =>
      this.ctx.db.transaction(() => this.#sessions.flush(now, { more, force: options.force }) + this.#log.writeWhile(more, taken, takenHourly, options.openMinuteAt))();
    try {
      const written = options.relaxed ? this.#relaxedCommit(write) : write();
      this.ctx.alarms.clear(WRITE_ALARM);
      return written;
    } catch (error) {
      this.#log.putBack(taken, takenHourly);
      this.ctx.alarms.raise(WRITE_ALARM, error, `${this.#log.pending} access-log rows waiting, ${this.#log.dropped} decisions dropped`);
      return -1;
    }
  }

  /**
   * The background flush: transactions of at most `SLICE_BUDGET_MS` of writing each, with the
   * event loop free in between, so no decision waits long behind a backlog.
   */
  async flushInSlices(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      // Only what is pending now: under steady load new rows wait for the next tick (one pass a second).
      let budget = this.#log.pending + this.#sessions.pendingWrites;
      while (this.ctx.db.open && budget > 0) {
        // Rows of the current minute keep counting until it ends.
        const written = this.#writeSlice({ force: false, relaxed: true, budgetMs: SLICE_BUDGET_MS, openMinuteAt: this.ctx.clock.now() });
        if (written <= 0) break;
        budget -= written;
        if (budget > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#flushing = false;
    }
  }

  /**
   * Runs one commit of access history with `synchronous = NORMAL` (no fsync of the WAL on commit;
   * the next FULL commit or checkpoint makes it durable). A power cut may lose the last second of
   * access log and session refreshes, never a key: every other write still commits with FULL.
   * Synchronous code, so no other transaction can run under the relaxed setting.
   */
  #relaxedCommit<T>(commit: () => T): T {
    const { db } = this.ctx;
    const previous = db.pragma('synchronous', { simple: true }) as number;
    if (previous <= 1) return commit();
    db.pragma('synchronous = NORMAL');
    try {
      return commit();
    } finally {
      db.pragma(`synchronous = ${previous}`);
    }
  }

  /** Ends idle sessions and forgets stale failure counters, sharing sightings and password MACs. */
  sweep(): void {
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    this.#sessions.sweepIdle(now, settings.sessionIdleSeconds * 1000);
    this.#failures.sweep(now, settings.viewerAuthFailureWindowMinutes * 60_000);
    this.#passwords.sweep(now);
    this.#refusals.sweep(now);
    this.#sharing.sweep(now);
  }

  /** Drops access-log rows, hourly counts and ended sessions older than their retention settings. */
  pruneHistory(): void {
    const now = this.ctx.clock.now();
    const { accessLogRetentionDays, sessionHistoryDays } = this.ctx.settings.get();
    const logCutoff = now - accessLogRetentionDays * 86_400_000;
    const sessionCutoff = now - sessionHistoryDays * 86_400_000;
    pruneAccessLog(this.ctx.db, logCutoff);
    pruneViewingHistory(this.ctx.db, sessionCutoff);
  }

  async decide(request: ViewerRequest): Promise<AccessDecision> {
    return this.#logged(request, await this.#evaluate(request, null, false));
  }

  /**
   * Refuses a request that cannot be decided as asked (an ambiguous path, a channel id that
   * contradicts the path), logged like any decision.
   */
  refuse(request: Omit<ViewerRequest, 'credential'>, reason: RefusalReason): RefusedDecision {
    return this.#logged(request, { allow: false, reason, account: null });
  }

  /**
   * Every decision, counted for `/metrics` and buffered for the access log. A decision that only
   * refreshed a live session is no row of its own (the session counts its requests): it counts in
   * the hourly figures only.
   */
  #record(record: AccessLogRecord, rowless = false): void {
    this.ctx.metrics.decisions.inc(record.source, record.result, record.reason ?? '');
    if (rowless) this.#log.countHourly(record);
    else this.#log.push(record);
  }

  #logged<D extends AccessDecision>(request: Omit<ViewerRequest, 'credential'>, decision: D): D {
    this.#diagnostics.count('accessDecisions');
    this.#record({
      at: this.ctx.clock.now(),
      result: decision.allow ? 'allow' : 'deny',
      reason: decision.allow ? null : decision.reason,
      rule: decision.allow ? decision.rule : null,
      accountId: decision.account?.id ?? null,
      username: decision.account?.username ?? null,
      channelId: request.channelId || null,
      ip: textOf(parseIpAddress(request.ip)) ?? request.ip.slice(0, 64),
      source: request.source,
      sessionId: decision.allow ? (decision.sessionId ?? null) : null,
    }, decision.allow && decision.sessionContinued === true);
    return decision;
  }

  /**
   * A refusal without any check for a viewer address (IPv6: its /64) that reached
   * `viewerRefusalsPerMinute` unauthenticated refusals this minute, or null. It costs a map
   * lookup: no database read, no password check, one aggregated access-log row a minute per
   * address (IPv6: per /64, which the row names).
   */
  throttled(request: { ip: string; channelId: string | null; source: string }): (AccessDecision & { allow: false }) | null {
    const now = this.ctx.clock.now();
    const subject = refusalSubject(request.ip);
    if (!this.#refusals.blocked(subject, now, this.ctx.settings.get().viewerRefusalsPerMinute)) return null;
    this.#record({
      at: now,
      result: 'deny',
      reason: 'rate_limited',
      rule: null,
      accountId: null,
      username: null,
      channelId: request.channelId || null,
      // The /64 for IPv6, so addresses rotating within it still share one row a minute.
      ip: subject,
      source: request.source,
      sessionId: null,
    });
    return { allow: false, reason: 'rate_limited', account: null };
  }

  /** Counts a refusal of an unauthenticated viewer against its address (see `throttled`). */
  countRefusal(ip: string): void {
    this.#refusals.record(refusalSubject(ip), this.ctx.clock.now());
  }

  /**
   * The account a viewer's credential names, checked for everything but a channel (deny list,
   * credential, enabled, expiry, suspension, allowed IPs) — for playlists and other per-viewer
   * answers. Counts failures like `decide` and writes one access-log row.
   */
  async authenticateViewer(
    credential: ViewerCredential | null,
    ip: string,
    source: string,
  ): Promise<{ ok: true; account: ViewerAccount } | { ok: false; reason: RefusalReason; account: { id: number; username: string } | null }> {
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    const address = parseIpAddress(ip);
    const ipText = textOf(address) ?? ip;
    const result = await (async (): Promise<{ ok: true; account: ViewerAccount } | { ok: false; reason: RefusalReason; account: ViewerAccount | null }> => {
      if (this.#ipLists.denied(address)) return { ok: false, reason: 'ip_denied', account: null };
      // Signed tokens and tickets name one channel: they are no sign-in for per-viewer answers.
      if (credential === null || credential.kind === 'signed' || credential.kind === 'ticket') return { ok: false, reason: 'no_credential', account: null };
      const outcome = await this.#checkCredential(credential, null, ipText, now, settings, null);
      if (!outcome.ok) return outcome;
      if (!outcome.account) return { ok: false, reason: 'no_credential', account: null };
      const state = this.#accountState(outcome.account, address, now, null);
      return state ? { ok: false, reason: state, account: outcome.account } : { ok: true, account: outcome.account };
    })();
    this.#record({
      at: now,
      result: result.ok ? 'allow' : 'deny',
      reason: result.ok ? null : result.reason,
      rule: result.ok ? 'credential' : null,
      accountId: result.account?.id ?? null,
      username: result.account?.username ?? null,
      channelId: null,
      ip: ipText,
      source,
      sessionId: null,
    });
    return result.ok ? result : { ok: false, reason: result.reason, account: who(result.account) };
  }

  /**
   * Which rule allows or refuses an account on a channel from an address, and why: the same
   * checks as `decide`, without opening a session, counting failures or logging.
   */
  async explain(accountRef: string, channelId: string, ip: string): Promise<Explanation> {
    const byId = /^\d+$/.test(accountRef) ? this.#directory.accountById(Number(accountRef)) : undefined;
    const account = byId ?? this.#directory.accountByUsername(accountRef);
    const trace: AccessStep[] = [];
    const credential: ViewerCredential | null = account ? { kind: 'account', accountId: account.id } : null;
    const decision = await this.#evaluate({ credential, channelId, ip, source: 'explain', checkOnly: true }, trace, true);
    if (!account) {
      for (const s of trace) if (s.check === 'credential') Object.assign(s, { code: 'no_account', params: { account: accountRef }, detail: explainStepDetail('no_account', { account: accountRef }) });
    }
    return {
      allow: decision.allow,
      reason: decision.allow ? null : account ? decision.reason : 'bad_credential',
      rule: decision.allow ? decision.rule : null,
      account: who(account),
      channel: channelId,
      ip: textOf(parseIpAddress(ip)) ?? ip,
      steps: dedupe(trace),
    };
  }

  /**
   * A request without a credential from a viewer that already has a live session on this channel
   * (players do not carry the playlist's `?token=` to relative segment URIs): decided as that
   * session's account, with every check run again. Null when there is no such session.
   */
  async continueSession(request: Omit<ViewerRequest, 'credential'>): Promise<AccessDecision | null> {
    const address = parseIpAddress(request.ip);
    const ip = textOf(address) ?? request.ip;
    const key = viewerSessionKey(request.sessionKey, ip, request.userAgent);
    const now = this.ctx.clock.now();
    const idleMs = this.ctx.settings.get().sessionIdleSeconds * 1000;
    const session = this.#sessions.findViewer(request.channelId, key, now, idleMs);
    if (session) return this.decide({ ...request, credential: { kind: 'account', accountId: session.accountId } });
    // A session the CAS just ended is never continued, but its viewer learns why (`disabled`, not
    // `no_credential`) when its account would be refused now; otherwise it needs a credential again.
    const endedFor = this.#sessions.recentlyEnded(request.channelId, key, now, idleMs);
    if (endedFor === undefined) return null;
    const verdict = await this.decide({ ...request, credential: { kind: 'account', accountId: endedFor }, checkOnly: true });
    return verdict.allow ? null : verdict;
  }

  /** Ends one session now; its slot is refused for `endedSessionBanSeconds`. False when it is not active. */
  endSession(id: number): boolean {
    const session = this.#sessions.get(id);
    if (!session) return false;
    this.#sessions.end(session, this.ctx.clock.now(), 'admin', this.ctx.settings.get().endedSessionBanSeconds * 1000);
    return true;
  }

  /**
   * A signed-in device's connection, one per device and sign-in address: admitted under the
   * account's connection limit and over-limit policy exactly like a viewer's session (one count
   * across edges and devices), and seen by sharing detection (`channelId`: the channel whose ECM
   * it asks for, if any). Opened at sign-in, refreshed by every device request, reopened after an
   * idle end. Synchronous, like `#admit`.
   */
  admitDevice(account: ViewerAccount, device: DeviceConnection, ip: string, channelId: string | null): DeviceAdmission {
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    const address = parseIpAddress(ip);
    const verdict = this.#sharing.observe(account, sharingSubject(address, ip, settings.sharingByNetwork), channelId, now);
    if (verdict.suspended && verdict.flagged) {
      this.#sessions.endAccount(account.id, now, 'suspended');
      return { ok: false, reason: 'suspended' };
    }
    const slot = {
      channelId: DEVICE_CHANNEL,
      key: deviceSessionKey(device.deviceId, device.signInIp),
      source: 'device',
      userAgent: `device ${device.hwid}`.slice(0, 300),
    };
    const admitted = this.#admit(account, slot, textOf(address) ?? ip, now, settings);
    return typeof admitted === 'string' ? { ok: false, reason: admitted } : { ok: true, sessionId: admitted.session.id };
  }

  async #evaluate(request: ViewerRequest, trace: Trace, explaining: boolean): Promise<AccessDecision> {
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    const address = parseIpAddress(request.ip);
    const ip = textOf(address) ?? request.ip;

    const denied = this.#ipLists.denied(address);
    if (denied) {
      step(trace, 'deny_list', 'fail', 'ip_denied', { ip, range: formatIpRange(denied) });
      return { allow: false, reason: 'ip_denied', account: null };
    }
    step(trace, 'deny_list', 'pass', 'ip_not_denied', { ip });

    const allowed = this.#ipLists.allowed(address);
    if (allowed) {
      step(trace, 'allow_list', 'pass', 'ip_allow_listed', { ip, range: formatIpRange(allowed) });
      const channel = this.#checkChannel(request.channelId, trace);
      if (typeof channel === 'string') return { allow: false, reason: channel, account: null };
      return { allow: true, account: null, rule: 'allow_list' };
    }
    step(trace, 'allow_list', 'skip', 'ip_not_allow_listed', { ip });

    if (request.credential === null) {
      step(trace, 'credential', 'fail', 'no_credential', {});
      return { allow: false, reason: 'no_credential', account: null };
    }
    const scoped = request.credential.kind === 'signed' || request.credential.kind === 'ticket';
    const scopedChannel = scoped ? (this.#directory.channel(request.channelId) ?? null) : null;
    const outcome = await this.#checkCredential(request.credential, scopedChannel, ip, now, settings, trace, explaining);
    if (!outcome.ok) return { allow: false, reason: outcome.reason, account: who(outcome.account) };
    if (outcome.account === null) {
      const channel = this.#checkChannel(request.channelId, trace);
      if (typeof channel === 'string') return { allow: false, reason: channel, account: null };
      return { allow: true, account: null, rule: 'signed_url' };
    }
    // Re-read after any await: the account may have changed while scrypt ran.
    const account = this.#directory.accountById(outcome.account.id);
    if (!account) {
      step(trace, 'credential', 'fail', 'account_gone', {});
      return { allow: false, reason: 'bad_credential', account: null };
    }

    const state = this.#accountState(account, address, now, trace);
    if (state) return { allow: false, reason: state, account: who(account) };

    const channel = this.#checkChannel(request.channelId, trace);
    if (typeof channel === 'string') return { allow: false, reason: channel, account: who(account) };
    if (!entitled(account, channel)) {
      step(trace, 'entitlement', 'fail', 'not_entitled', { channel: channel.id, packages: [...account.packages].join(', '), channelPackages: channel.packages.join(', ') });
      return { allow: false, reason: 'not_entitled', account: who(account) };
    }
    const via = channel.packages.filter((p) => account.packages.has(p));
    step(trace, 'entitlement', 'pass', 'entitled', { channel: channel.id, packages: via.join(', ') });

    if (!explaining) {
      const verdict = this.#sharing.observe(account, sharingSubject(address, ip, settings.sharingByNetwork), channel.id, now);
      if (verdict.suspended && verdict.flagged) {
        this.#sessions.endAccount(account.id, now, 'suspended');
        return { allow: false, reason: 'suspended', account: who(account) };
      }
    }

    if (request.checkOnly) {
      this.#explainLimit(account, now, settings, trace);
      return { allow: true, account: { id: account.id, username: account.username, maxConnections: account.maxConnections }, rule: 'credential' };
    }
    // Synchronous from here on: find, count and open happen without yielding, so N+1 concurrent
    // requests can never all pass a limit of N.
    const slot = {
      channelId: channel.id,
      key: viewerSessionKey(request.sessionKey, ip, request.userAgent),
      source: request.source,
      userAgent: request.userAgent?.slice(0, 300) ?? null,
      bytes: request.bytes,
    };
    const admitted = this.#admit(account, slot, ip, now, settings);
    if (typeof admitted === 'string') return { allow: false, reason: admitted, account: who(account) };
    return {
      allow: true,
      account: { id: account.id, username: account.username, maxConnections: account.maxConnections },
      sessionId: admitted.session.id,
      sessionContinued: admitted.continued,
      rule: 'credential',
    };
  }

  async #checkCredential(
    credential: ViewerCredential,
    channel: ViewerChannel | null,
    ip: string,
    now: number,
    settings: Settings,
    trace: Trace,
    explaining = false,
  ): Promise<CredentialOutcome> {
    const windowMs = settings.viewerAuthFailureWindowMinutes * 60_000;
    const max = settings.viewerAuthMaxFailures;
    const ipKey = `ip:${refusalSubject(ip)}`;
    const fail = <C extends ExplainStepCode>(account: ViewerAccount | null, code: C, params: ExplainStepParams<C>): CredentialOutcome => {
      if (!explaining) this.#failures.record(ipKey, now, windowMs);
      step(trace, 'credential', 'fail', code, params);
      return { ok: false, reason: 'bad_credential', account };
    };
    switch (credential.kind) {
      case 'account': {
        const account = this.#directory.accountById(credential.accountId);
        if (!account) return fail(null, 'no_account', { account: String(credential.accountId) });
        step(trace, 'credential', 'pass', 'already_authenticated', { username: account.username });
        return { ok: true, account };
      }
      case 'token': {
        const account = this.#directory.accountByTokenHash(sha256Hex(credential.token));
        if (!account) return fail(null, 'unknown_token', {});
        step(trace, 'credential', 'pass', 'token_of', { username: account.username });
        return { ok: true, account };
      }
      case 'password': {
        const userKey = `user:${credential.username.toLowerCase()}`;
        const account = this.#directory.accountByUsername(credential.username);
        // A password verified moments ago passes even during a lockout, so nobody can lock a
        // watching subscriber out by guessing at their username.
        if (account?.passwordHash && this.#passwords.matches(account.id, account.passwordHash, credential.password, now)) {
          step(trace, 'credential', 'pass', 'password_recently_verified', { username: account.username });
          return { ok: true, account };
        }
        // Guessing is what the limits stop: tokens are 256-bit random, passwords are not.
        if (!explaining && (this.#failures.blocked(ipKey, now, max, windowMs) || this.#failures.blocked(userKey, now, max, windowMs))) {
          step(trace, 'rate_limit', 'fail', 'too_many_failures', { ip, username: credential.username });
          return { ok: false, reason: 'rate_limited', account: null };
        }
        // Counted as a failure before scrypt runs (and forgiven if right), so concurrent guesses
        // cannot all pass the check above; the queue bounds how many checks run at once.
        const counted = !explaining;
        if (counted) {
          this.#failures.record(ipKey, now, windowMs);
          this.#failures.record(userKey, now, windowMs);
        }
        const forgive = () => {
          if (!counted) return;
          this.#failures.forgive(ipKey);
          this.#failures.forgive(userKey);
        };
        // Unknown users and accounts without a password pay a full scrypt as well.
        const ok = await this.#passwordChecks.run(() => {
          this.#diagnostics.count('passwordHashChecks');
          return verifyPassword(credential.password, account?.passwordHash ?? null);
        });
        if (ok === null) {
          forgive();
          this.#diagnostics.count('passwordChecksRefused');
          step(trace, 'rate_limit', 'fail', 'too_many_password_checks', {});
          return { ok: false, reason: 'rate_limited', account: null };
        }
        if (!ok || !account?.passwordHash) {
          step(trace, 'credential', 'fail', 'wrong_password', {});
          return { ok: false, reason: 'bad_credential', account: null };
        }
        forgive();
        this.#passwords.remember(account.id, account.passwordHash, credential.password, this.ctx.clock.now(), settings.passwordCacheSeconds * 1000);
        step(trace, 'credential', 'pass', 'password_of', { username: account.username });
        return { ok: true, account };
      }
      case 'signed': {
        if (!channel) return fail(null, 'signed_unknown_channel', {});
        const check = this.#urlSigner.verifyChannelToken(credential.token, channel, ip, credential.userId);
        if (check !== 'valid') {
          return fail(null, check === 'expired' ? 'signed_expired' : 'signed_invalid', {});
        }
        // A Flussonic token is valid only with its user id. An Astra token the CAS issued names its
        // account in the salt; one made elsewhere (Astra's PHP recipe: a random salt) names none and
        // is a signed URL for this channel and address only. Any named account is checked as usual.
        if (channel.urlSigning === 'flussonic') {
          const account = this.#directory.accountById(Number(credential.userId));
          if (!account) return fail(null, 'signed_unknown_account', { userId: credential.userId ?? '' });
          step(trace, 'credential', 'pass', 'signed_token_of', { username: account.username });
          return { ok: true, account };
        }
        const owner = accountOfSalt(parseSecuretoken(credential.token)?.salt ?? '');
        const account = owner === null ? undefined : this.#directory.accountById(owner);
        if (!account) {
          step(trace, 'credential', 'pass', 'signed_token_anonymous', {});
          return { ok: true, account: null, signed: true };
        }
        step(trace, 'credential', 'pass', 'signed_token_of', { username: account.username });
        return { ok: true, account };
      }
      case 'ticket': {
        const claims = channel ? this.#tickets.verify(credential.ticket, channel.id, ip, ['s']) : null;
        const account = claims && claims.accountId !== null ? this.#directory.accountById(claims.accountId) : undefined;
        if (!account) return fail(null, 'ticket_invalid', {});
        step(trace, 'credential', 'pass', 'ticket_of', { username: account.username });
        return { ok: true, account };
      }
    }
  }

  /** Account-level refusals: disabled, expired, suspended, address not among its allowed IPs. */
  #accountState(account: ViewerAccount, address: Address | null, now: number, trace: Trace): RefusalReason | null {
    if (!account.enabled) {
      step(trace, 'account_enabled', 'fail', 'account_disabled', { username: account.username });
      return 'disabled';
    }
    step(trace, 'account_enabled', 'pass', 'account_enabled', { username: account.username });
    if (account.expiresAt !== null && account.expiresAt <= now) {
      step(trace, 'account_expiry', 'fail', 'account_expired', { date: new Date(account.expiresAt).toISOString() });
      return 'expired';
    }
    // Only an explanation writes the steps out (a date is text, made per call).
    if (trace) {
      if (account.expiresAt === null) step(trace, 'account_expiry', 'pass', 'no_expiry', {});
      else step(trace, 'account_expiry', 'pass', 'valid_until', { date: new Date(account.expiresAt).toISOString() });
    }
    if (this.#sharing.isSuspended(account.id)) {
      step(trace, 'suspension', 'fail', 'suspended', {});
      return 'suspended';
    }
    step(trace, 'suspension', 'pass', 'not_suspended', {});
    if (account.allowedIps.length > 0) {
      const match = anyRangeMatches(address, account.allowedIps);
      if (!match) {
        step(trace, 'account_ips', 'fail', 'ip_not_among_allowed', { ip: address?.toString() ?? '', ranges: account.allowedIps.map(formatIpRange).join(', ') });
        return 'ip_not_allowed';
      }
      step(trace, 'account_ips', 'pass', 'ip_within', { ip: address!.toString(), range: formatIpRange(match) });
    } else {
      step(trace, 'account_ips', 'skip', 'no_ip_restriction', {});
    }
    return null;
  }

  #checkChannel(channelId: string, trace: Trace): ViewerChannel | 'channel_unknown' | 'channel_disabled' {
    const channel = this.#directory.channel(channelId);
    if (!channel) {
      step(trace, 'channel', 'fail', 'channel_unknown', { channel: channelId });
      return 'channel_unknown';
    }
    if (!channel.enabled) {
      step(trace, 'channel', 'fail', 'channel_disabled', { channel: channelId });
      return 'channel_disabled';
    }
    step(trace, 'channel', 'pass', 'channel_enabled', { channel: channelId });
    return channel;
  }

  #explainLimit(account: ViewerAccount, now: number, settings: Settings, trace: Trace): void {
    if (!trace) return;
    const active = this.#sessions.activeOf(account.id, now, settings.sessionIdleSeconds * 1000).length;
    if (account.maxConnections === 0) step(trace, 'connection_limit', 'pass', 'no_connection_limit', { active });
    else
      step(
        trace,
        'connection_limit',
        active < account.maxConnections ? 'pass' : 'fail',
        'connections_in_use',
        { active, max: account.maxConnections, policy: settings.overLimitPolicy },
      );
  }

  /** Opens or refreshes the viewer's session under the connection limit; synchronous by design. */
  #admit(account: ViewerAccount, slot: SessionSlot, ip: string, now: number, settings: Settings): { session: LiveSession; continued: boolean } | 'connection_limit' | 'session_ended' {
    const idleMs = settings.sessionIdleSeconds * 1000;
    const existing = this.#sessions.find(account.id, slot.channelId, slot.key, now, idleMs);
    if (existing) {
      this.#sessions.touch(existing, now, ip, slot.bytes);
      return { session: existing, continued: true };
    }
    if (this.#sessions.bannedUntil(account.id, slot.channelId, slot.key, now) !== null) return 'session_ended';
    if (account.maxConnections > 0) {
      const active = this.#sessions.activeOf(account.id, now, idleMs);
      const excess = active.length - account.maxConnections + 1;
      if (excess > 0) {
        const victims = this.#overLimitVictims(active, excess, ip, slot.userAgent, now, settings);
        if (!victims) return 'connection_limit';
        const banMs = settings.overLimitPolicy === 'end-oldest' ? settings.endedSessionBanSeconds * 1000 : 0;
        for (const victim of victims) this.#sessions.end(victim, now, settings.overLimitPolicy === 'end-oldest' ? 'over_limit' : 'handover', banMs);
      }
    }
    const session = this.#sessions.open(
      {
        accountId: account.id,
        username: account.username,
        channelId: slot.channelId,
        key: slot.key,
        source: slot.source,
        ip,
        userAgent: slot.userAgent,
        bytes: slot.bytes ?? null,
      },
      now,
    );
    return { session, continued: false };
  }

  /** Sessions to end so a new one fits, per the over-limit policy; null means refuse the newcomer. */
  #overLimitVictims(
    active: LiveSession[],
    excess: number,
    ip: string,
    userAgent: string | null,
    now: number,
    settings: Settings,
  ): LiveSession[] | null {
    switch (settings.overLimitPolicy) {
      case 'refuse-newest':
        return null;
      case 'end-oldest':
        return [...active].sort((a, b) => a.startedAt - b.startedAt).slice(0, excess);
      case 'handover': {
        // The same viewer (address and player) switching channels, then sessions silent for the window.
        const sameViewer = active.filter((s) => s.ip === ip && s.userAgent === userAgent).sort((a, b) => a.lastSeenAt - b.lastSeenAt);
        const silent = active
          .filter((s) => !sameViewer.includes(s) && s.lastSeenAt <= now - settings.handoverSeconds * 1000)
          .sort((a, b) => a.lastSeenAt - b.lastSeenAt);
        const candidates = [...sameViewer, ...silent];
        return candidates.length >= excess ? candidates.slice(0, excess) : null;
      }
    }
  }

  #accountsChanged(ids: readonly number[] | null): void {
    const now = this.ctx.clock.now();
    const affected = ids ?? this.#sessions.accountIdsWithSessions();
    for (const id of affected) {
      this.#passwords.forget(id);
      if (this.#sessions.activeOf(id, now, Number.MAX_SAFE_INTEGER).length === 0) continue;
      const account = this.#directory.accountById(id);
      const usable = account && account.enabled && (account.expiresAt === null || account.expiresAt > now);
      if (!usable) this.#sessions.endAccount(id, now, 'account_changed');
    }
  }
}

/** Keeps the first step of each check (a check may be reached by two paths). */
function dedupe(steps: AccessStep[]): AccessStep[] {
  const seen = new Set<string>();
  return steps.filter((s) => (seen.has(s.check) ? false : (seen.add(s.check), true)));
}

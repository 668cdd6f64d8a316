import type { Db } from '../db/connection';
import { bannedSlots, maxSessionId, openSessionRows, savePeak, saveSession, type ViewingSessionRow } from './viewing-session-queries';

/** A live viewing session. The decision engine owns these in memory; SQLite gets them in batches. */
export interface LiveSession {
  id: number;
  accountId: number;
  username: string;
  channelId: string;
  /** `s:<server session id>` or `v:<ip>|<user agent>`. */
  key: string;
  source: string;
  ip: string;
  userAgent: string | null;
  startedAt: number;
  lastSeenAt: number;
  requests: number;
  bytes: number | null;
  endedAt: number | null;
  endReason: string | null;
  bannedUntil: number | null;
  /** `lastSeenAt` as last written to SQLite. */
  persistedSeenAt?: number;
}

/** A refreshed session is rewritten at most this often by the background flush (routes force it). */
const TOUCH_PERSIST_MS = 30_000;

type SessionEndReason = 'idle' | 'admin' | 'over_limit' | 'handover' | 'account_changed' | 'suspended';

const HOUR_MS = 3_600_000;
/** Viewers whose session the CAS ended kept at most (the oldest are forgotten first). */
const MAX_ENDED_VIEWERS = 100_000;

function slotKey(accountId: number, channelId: string, key: string): string {
  return `${accountId}\u0000${channelId}\u0000${key}`;
}

/** The session key of a viewer: the server's own session id when it has one, else IP + user agent. */
export function viewerSessionKey(sessionKey: string | undefined, ip: string, userAgent: string | undefined): string {
  if (sessionKey) return `s:${sessionKey.slice(0, 200)}`;
  return `v:${ip}|${(userAgent ?? '').slice(0, 300)}`;
}

/** A device's connection counts against the account's limit wherever it watches: it holds no channel. */
export const DEVICE_CHANNEL = '';

/** The session key of a signed-in device: one connection per device and sign-in address. */
export function deviceSessionKey(deviceId: number, signInIp: string): string {
  return `d:${deviceId}|${signInIp}`;
}

/** The device and sign-in address of a device connection's key; null for a viewer's key. */
export function parseDeviceSessionKey(key: string): { deviceId: number; signInIp: string } | null {
  const match = /^d:(\d+)\|(.+)$/.exec(key);
  return match ? { deviceId: Number(match[1]), signInIp: match[2] } : null;
}

/**
 * Active viewing sessions, indexed by slot (account, channel, key) and by account, so the
 * connection-limit check is a synchronous in-memory step (atomic in the one Node process).
 * Changes are written to `viewing_sessions` by `flush()`, with hourly viewer peaks.
 */
export class ViewingSessions {
  readonly #bySlot = new Map<string, LiveSession>();
  /** `channel\0key` → the latest session of that viewer on that channel (any account). */
  readonly #byViewer = new Map<string, LiveSession>();
  /** Viewer (channel + key) → account of a session the CAS ended for a reason other than idling. */
  readonly #endedViewers = new Map<string, { accountId: number; at: number }>();
  /** Active sessions in last-seen order (see `touch`). */
  readonly #byId = new Map<number, LiveSession>();
  readonly #byAccount = new Map<number, Set<LiveSession>>();
  readonly #perChannel = new Map<string, number>();
  /** Slots refused until a time (sessions ended by an operator or by the over-limit policy). */
  readonly #bans = new Map<string, number>();
  readonly #dirty = new Set<LiveSession>();
  /** Refreshed since their last write, but not yet due (see TOUCH_PERSIST_MS). */
  readonly #stale = new Set<LiveSession>();
  /** `kind\0subject\0hour` → peak, pending write. */
  readonly #peaks = new Map<string, number>();
  readonly #endListeners: Array<(session: LiveSession) => void> = [];
  #nextId: number;
  #snapshotHour = 0;

  constructor(
    private readonly db: Db,
    now: number,
  ) {
    this.#nextId = maxSessionId(db) + 1;
    for (const row of openSessionRows(db)) this.#index(fromRow(row));
    for (const row of bannedSlots(db, now)) this.#bans.set(slotKey(row.account_id, row.channel_id, row.session_key), row.banned_until);
  }

  /** Called synchronously whenever a session ends (device connections end their bearer sessions with it). */
  onEnd(listener: (session: LiveSession) => void): void {
    this.#endListeners.push(listener);
  }

  get activeCount(): number {
    return this.#byId.size;
  }

  get(id: number): LiveSession | undefined {
    return this.#byId.get(id);
  }

  /** The active session of a slot; one silent longer than the idle timeout is ended first. */
  find(accountId: number, channelId: string, key: string, now: number, idleMs: number): LiveSession | undefined {
    const session = this.#bySlot.get(slotKey(accountId, channelId, key));
    if (!session) return undefined;
    if (session.lastSeenAt <= now - idleMs) {
      this.end(session, session.lastSeenAt, 'idle');
      return undefined;
    }
    return session;
  }

  /** The viewer's active session on a channel whatever the account (a segment request without a token). */
  findViewer(channelId: string, key: string, now: number, idleMs: number): LiveSession | undefined {
    const session = this.#byViewer.get(`${channelId}\u0000${key}`);
    if (!session || session.endedAt !== null || session.lastSeenAt <= now - idleMs) return undefined;
    return session;
  }

  /**
   * The account of the viewer's session on a channel that the CAS ended (disabled account, operator,
   * suspension…) less than `idleMs` ago, so a request without a credential can be told why.
   */
  recentlyEnded(channelId: string, key: string, now: number, idleMs: number): number | undefined {
    const viewer = `${channelId}\u0000${key}`;
    const ended = this.#endedViewers.get(viewer);
    if (!ended) return undefined;
    if (ended.at > now - idleMs) return ended.accountId;
    this.#endedViewers.delete(viewer);
    return undefined;
  }

  bannedUntil(accountId: number, channelId: string, key: string, now: number): number | null {
    const slot = slotKey(accountId, channelId, key);
    const until = this.#bans.get(slot);
    if (until === undefined) return null;
    if (until <= now) {
      this.#bans.delete(slot);
      return null;
    }
    return until;
  }

  /** The account's active sessions, idle ones ended on the way (no ghost holds a slot). */
  activeOf(accountId: number, now: number, idleMs: number): LiveSession[] {
    const set = this.#byAccount.get(accountId);
    if (!set) return [];
    const out: LiveSession[] = [];
    for (const session of [...set]) {
      if (session.lastSeenAt <= now - idleMs) this.end(session, session.lastSeenAt, 'idle');
      else out.push(session);
    }
    return out;
  }

  viewersOf(channelId: string): number {
    return this.#perChannel.get(channelId) ?? 0;
  }

  /** Active viewers per channel (for the dashboard). */
  viewersPerChannel(): ReadonlyMap<string, number> {
    return this.#perChannel;
  }

  accountsWatching(): number {
    return this.#byAccount.size;
  }

  open(fields: Omit<LiveSession, 'id' | 'startedAt' | 'lastSeenAt' | 'requests' | 'endedAt' | 'endReason' | 'bannedUntil'>, now: number): LiveSession {
    const session: LiveSession = {
      ...fields,
      id: this.#nextId++,
      startedAt: now,
      lastSeenAt: now,
      requests: 1,
      endedAt: null,
      endReason: null,
      bannedUntil: null,
    };
    this.#index(session);
    this.#dirty.add(session);
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    this.#peak('all', '', hour, this.#byId.size);
    this.#peak('channel', session.channelId, hour, this.#perChannel.get(session.channelId) ?? 0);
    this.#peak('account', String(session.accountId), hour, this.#byAccount.get(session.accountId)?.size ?? 0);
    return session;
  }

  touch(session: LiveSession, now: number, ip: string, bytes: number | undefined): void {
    // Re-inserting keeps `#byId` in last-seen order, so the idle sweep stops at the first live one.
    this.#byId.delete(session.id);
    this.#byId.set(session.id, session);
    session.lastSeenAt = now;
    session.requests += 1;
    session.ip = ip;
    if (bytes !== undefined) session.bytes = bytes;
    if (now - (session.persistedSeenAt ?? 0) >= TOUCH_PERSIST_MS) {
      this.#dirty.add(session);
      this.#stale.delete(session);
    } else if (!this.#dirty.has(session)) this.#stale.add(session);
  }

  /** Ends a session; `banMs` keeps its slot refused for that long. */
  end(session: LiveSession, at: number, reason: SessionEndReason, banMs = 0): void {
    if (session.endedAt !== null) return;
    session.endedAt = at;
    session.endReason = reason;
    const slot = slotKey(session.accountId, session.channelId, session.key);
    if (banMs > 0) {
      session.bannedUntil = at + banMs;
      this.#bans.set(slot, session.bannedUntil);
    }
    if (this.#bySlot.get(slot) === session) this.#bySlot.delete(slot);
    const viewer = `${session.channelId}\u0000${session.key}`;
    if (this.#byViewer.get(viewer) === session) this.#byViewer.delete(viewer);
    if (reason !== 'idle') this.#rememberEnded(viewer, session.accountId, at);
    this.#byId.delete(session.id);
    this.#stale.delete(session);
    const set = this.#byAccount.get(session.accountId);
    set?.delete(session);
    if (set && set.size === 0) this.#byAccount.delete(session.accountId);
    const count = (this.#perChannel.get(session.channelId) ?? 1) - 1;
    if (count <= 0) this.#perChannel.delete(session.channelId);
    else this.#perChannel.set(session.channelId, count);
    this.#dirty.add(session);
    for (const listener of this.#endListeners) listener(session);
  }

  endAccount(accountId: number, at: number, reason: SessionEndReason): number {
    const set = this.#byAccount.get(accountId);
    if (!set) return 0;
    const sessions = [...set];
    for (const session of sessions) this.end(session, at, reason);
    return sessions.length;
  }

  accountIdsWithSessions(): number[] {
    return [...this.#byAccount.keys()];
  }

  /** Ends every session silent for longer than the idle timeout (oldest first; stops at the first live one). */
  sweepIdle(now: number, idleMs: number): number {
    let ended = 0;
    for (const session of this.#byId.values()) {
      if (session.lastSeenAt > now - idleMs) break;
      this.end(session, session.lastSeenAt, 'idle');
      ended++;
    }
    for (const [slot, until] of this.#bans) if (until <= now) this.#bans.delete(slot);
    return ended;
  }

  get pendingWrites(): number {
    return this.#dirty.size + this.#peaks.size;
  }

  /**
   * Writes changed sessions and peaks while `more()` says so (all of them without it); call inside
   * a transaction. `force` also writes sessions refreshed since their last write (for readers that
   * need the exact state). Returns the rows written.
   */
  flush(now: number, options: { more?: () => boolean; force?: boolean } = {}): number {
    if (options.force) {
      for (const session of this.#stale) this.#dirty.add(session);
      this.#stale.clear();
    }
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    if (hour !== this.#snapshotHour) {
      // A new hour starts with the viewers still watching from the last one.
      this.#snapshotHour = hour;
      this.#peak('all', '', hour, this.#byId.size);
      for (const [channelId, n] of this.#perChannel) this.#peak('channel', channelId, hour, n);
      for (const [accountId, set] of this.#byAccount) this.#peak('account', String(accountId), hour, set.size);
    }
    const more = options.more ?? (() => true);
    let written = 0;
    for (const s of this.#dirty) {
      if (!more()) return written;
      written++;
      this.#dirty.delete(s);
      s.persistedSeenAt = s.lastSeenAt;
      saveSession(this.db, {
        id: s.id,
        account_id: s.accountId,
        username: s.username,
        channel_id: s.channelId,
        session_key: s.key,
        source: s.source,
        ip: s.ip,
        user_agent: s.userAgent,
        started_at: s.startedAt,
        last_seen_at: s.lastSeenAt,
        ended_at: s.endedAt,
        end_reason: s.endReason,
        banned_until: s.bannedUntil,
        requests: s.requests,
        bytes: s.bytes,
      });
    }
    for (const [key, value] of this.#peaks) {
      if (!more()) return written;
      written++;
      this.#peaks.delete(key);
      const [kind, subject, peakHour] = key.split('\u0000') as [string, string, string];
      savePeak(this.db, kind, subject, Number(peakHour), value);
    }
    return written;
  }

  #peak(kind: string, subject: string, hour: number, value: number): void {
    const key = `${kind}\u0000${subject}\u0000${hour}`;
    if ((this.#peaks.get(key) ?? 0) < value) this.#peaks.set(key, value);
  }

  #rememberEnded(viewer: string, accountId: number, at: number): void {
    this.#endedViewers.delete(viewer);
    this.#endedViewers.set(viewer, { accountId, at });
    if (this.#endedViewers.size > MAX_ENDED_VIEWERS) this.#endedViewers.delete(this.#endedViewers.keys().next().value as string);
  }

  #index(session: LiveSession): void {
    this.#bySlot.set(slotKey(session.accountId, session.channelId, session.key), session);
    this.#byViewer.set(`${session.channelId}\u0000${session.key}`, session);
    this.#byId.set(session.id, session);
    let set = this.#byAccount.get(session.accountId);
    if (!set) this.#byAccount.set(session.accountId, (set = new Set()));
    set.add(session);
    this.#perChannel.set(session.channelId, (this.#perChannel.get(session.channelId) ?? 0) + 1);
  }
}

function fromRow(row: ViewingSessionRow): LiveSession {
  return {
    id: row.id,
    accountId: row.account_id,
    username: row.username,
    channelId: row.channel_id,
    key: row.session_key,
    source: row.source,
    ip: row.ip,
    userAgent: row.user_agent,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
    requests: row.requests,
    bytes: row.bytes,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    bannedUntil: row.banned_until,
  };
}

import type { CasContext } from '../kernel/context';
import type { Diagnostics } from '../kernel/diagnostics';
import { allChannelRows, packagesByChannel } from '../channels/channel-queries';
import { allPackageRows } from '../packages/package-queries';
import { channelSummaryOf, type ChannelSummary } from '../channels/channel-mapping';
import { accountById, accountByTokenHash, accountByUsername, packagesOfAccount, type AccountRow } from '../accounts/account-queries';
import { parseIpRange, type IpRange } from '../../src-shared/net/ip-ranges';
import type { CanonicalPath } from '../../src-shared/net/canonical-path';
import type { Role } from '../../src-shared/schemas/accounts';

/** What the decision path needs of an account, kept in memory. */
export interface ViewerAccount {
  id: number;
  username: string;
  role: Role;
  enabled: boolean;
  expiresAt: number | null;
  maxConnections: number;
  allowedIps: readonly IpRange[];
  packages: ReadonlySet<string>;
  passwordHash: string | null;
  tokenHash: string;
}

/** A channel as the decision path needs it, kept in memory. */
export type ViewerChannel = ChannelSummary;

/** Whether an account may watch a channel right now (enabled channel in one of its packages). */
export function entitled(account: ViewerAccount, channel: ViewerChannel): boolean {
  return channel.enabled && channel.packages.some((p) => account.packages.has(p));
}

interface ChannelTable {
  byId: Map<string, ViewerChannel>;
  /** Exact stream paths and their folders (`/tv/x/index.m3u8`, `/tv/x`) → channel id. */
  byPath: Map<string, string>;
  ordered: ViewerChannel[];
  packageNames: Map<string, string>;
}

/** Cached accounts beyond this are dropped wholesale (they reload from indexed reads). */
const MAX_CACHED_ACCOUNTS = 250_000;
/** Credentials remembered as naming no account; the oldest go first, so a flood of made-up tokens cannot grow memory. */
const MAX_UNKNOWN = 100_000;

function toViewerAccount(row: AccountRow, packages: string[]): ViewerAccount {
  const ranges = (JSON.parse(row.allowed_ips) as string[]).map(parseIpRange).filter((r): r is IpRange => r !== null);
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    enabled: row.enabled === 1,
    expiresAt: row.expires_at,
    maxConnections: row.max_connections,
    allowedIps: ranges,
    packages: new Set(packages),
    passwordHash: row.password_hash,
    tokenHash: row.token_hash,
  };
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? path : path.slice(0, slash);
}

/**
 * Accounts and channels as the decision path reads them: from memory, filled by indexed point
 * reads, and forgotten when `accounts-changed`, `packages-changed` or `channels-changed` fire.
 * Tokens, usernames and ids that name no account are remembered too (a negative cache), until
 * any account changes: a new account or a new token may be the one asked for next.
 */
export class ViewerDirectory {
  readonly #accounts = new Map<number, ViewerAccount>();
  readonly #byTokenHash = new Map<string, number>();
  readonly #byUsername = new Map<string, number>();
  /** `t:<token hash>`, `u:<lower-case username>`, `i:<id>` of lookups that found no account. */
  readonly #unknown = new Set<string>();
  #channels: ChannelTable | null = null;

  constructor(
    private readonly ctx: CasContext,
    private readonly diagnostics: Diagnostics,
  ) {
    ctx.events.on('accounts-changed', (ids) => this.forgetAccounts(ids));
    ctx.events.on('packages-changed', () => (this.#channels = null));
    ctx.events.on('channels-changed', () => (this.#channels = null));
  }

  forgetAccounts(ids: readonly number[] | null): void {
    // Which token or username a created or changed account now has is not known here: forget every miss.
    this.#unknown.clear();
    if (ids === null) {
      this.#accounts.clear();
      this.#byTokenHash.clear();
      this.#byUsername.clear();
      return;
    }
    for (const id of ids) {
      const cached = this.#accounts.get(id);
      if (!cached) continue;
      this.#accounts.delete(id);
      this.#byTokenHash.delete(cached.tokenHash);
      this.#byUsername.delete(cached.username.toLowerCase());
    }
  }

  accountById(id: number): ViewerAccount | undefined {
    return this.#accounts.get(id) ?? this.#read(`i:${id}`, () => accountById(this.ctx.db, id));
  }

  accountByTokenHash(tokenHash: string): ViewerAccount | undefined {
    const id = this.#byTokenHash.get(tokenHash);
    if (id !== undefined) return this.#accounts.get(id);
    return this.#read(`t:${tokenHash}`, () => accountByTokenHash(this.ctx.db, tokenHash));
  }

  accountByUsername(username: string): ViewerAccount | undefined {
    const lower = username.toLowerCase();
    const id = this.#byUsername.get(lower);
    if (id !== undefined) return this.#accounts.get(id);
    return this.#read(`u:${lower}`, () => accountByUsername(this.ctx.db, username));
  }

  channel(id: string): ViewerChannel | undefined {
    return this.#channelTable().byId.get(id);
  }

  /**
   * The channel a request path belongs to: its exact stream path, else the nearest enclosing
   * folder. Only a canonical path can be asked (see canonical-path.ts): any other form may name
   * another channel to the edge that serves it.
   */
  channelForPath(path: CanonicalPath): ViewerChannel | undefined {
    const table = this.#channelTable();
    let probe: string = path;
    for (;;) {
      const id = table.byPath.get(probe);
      if (id !== undefined) return table.byId.get(id);
      const parent = folderOf(probe);
      if (parent === probe || parent === '') return undefined;
      probe = parent;
    }
  }

  /** Every channel in channel-number order (unnumbered last, then by id). */
  channels(): readonly ViewerChannel[] {
    return this.#channelTable().ordered;
  }

  packageName(id: string): string {
    return this.#channelTable().packageNames.get(id) ?? id;
  }

  /** A cache miss: one indexed read, unless the same lookup already found nothing. */
  #read(unknownKey: string, load: () => AccountRow | undefined): ViewerAccount | undefined {
    if (this.#unknown.has(unknownKey)) return undefined;
    this.diagnostics.count('viewerAccountReads');
    const account = this.#remember(load());
    if (account) return account;
    if (this.#unknown.size >= MAX_UNKNOWN) this.#unknown.delete(this.#unknown.values().next().value!);
    this.#unknown.add(unknownKey);
    return undefined;
  }

  #remember(row: AccountRow | undefined): ViewerAccount | undefined {
    if (!row) return undefined;
    if (this.#accounts.size >= MAX_CACHED_ACCOUNTS) this.forgetAccounts(null);
    const account = toViewerAccount(row, packagesOfAccount(this.ctx.db, row.id));
    this.#accounts.set(account.id, account);
    this.#byTokenHash.set(account.tokenHash, account.id);
    this.#byUsername.set(account.username.toLowerCase(), account.id);
    return account;
  }

  #channelTable(): ChannelTable {
    if (this.#channels) return this.#channels;
    this.diagnostics.count('viewerChannelReads');
    const rows = allChannelRows(this.ctx.db);
    const packagesOf = packagesByChannel(this.ctx.db);
    const byId = new Map<string, ViewerChannel>();
    const byPath = new Map<string, string>();
    const ordered: ViewerChannel[] = [];
    for (const row of rows) {
      const channel = channelSummaryOf(row, packagesOf.get(row.id) ?? []);
      byId.set(channel.id, channel);
      ordered.push(channel);
      byPath.set(channel.streamPath, channel.id);
    }
    // Folders second, so an exact path of one channel is never shadowed by another's folder.
    for (const channel of ordered) {
      const folder = folderOf(channel.streamPath);
      if (folder && folder !== '/' && !byPath.has(folder)) byPath.set(folder, channel.id);
    }
    const packageNames = new Map(allPackageRows(this.ctx.db).map((p) => [p.id, p.name]));
    this.#channels = { byId, byPath, ordered, packageNames };
    return this.#channels;
  }
}

import type { CasContext } from '../kernel/context';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { fieldChanges } from '../audit/audit-diff';
import { type Actor } from '../kernel/actor';
import { hashPassword } from '../crypto/passwords';
import { randomToken, sha256Hex, tokenPrefixOf } from '../crypto/tokens';
import { ApiError, ConflictError, NotFoundError, ValidationError } from '../../src-shared/errors';
import type {
  Account,
  AccountBulk,
  AccountCreateParsed,
  AccountDetail,
  accountListQuerySchema,
  accountUpdateSchema,
} from '../../src-shared/schemas/accounts';
import type { Page } from '../../src-shared/schemas/common';
import type { z } from 'zod';
import {
  accountById,
  accountByTokenHash,
  accountByUsername,
  addPackageToAccounts,
  deleteAccount,
  deleteAccounts,
  extendAccounts,
  firstUsableAdmin,
  insertAccount,
  listAccountRows,
  packagesOfAccount,
  packagesOfAccounts,
  removePackageFromAccounts,
  replaceAccountPackages,
  setAccountsEnabled,
  statusOf,
  updateAccountColumns,
  usernamesOf,
  type AccountFilter,
  type AccountRow,
} from './account-queries';
import { missingPackages } from '../packages/package-queries';
import { bindDevice, deleteDevice, deviceById, deviceCountsOf, devicesOfAccount } from './account-device-queries';
import { tokenAad } from '../crypto/sealing-aad';
import { expiryMs } from '../../src-shared/time/expiry';
import { tokenPrefixFilter } from './token-prefixes';

const DAY_MS = 86_400_000;

/** The account's token in clear (it is stored sealed under the master key). */
export function tokenOf(ctx: CasContext, row: Pick<AccountRow, 'token_hash' | 'token_sealed'>): string {
  return ctx.vault.openText(row.token_sealed, tokenAad(row.token_hash));
}

/** An expiry as the API received it (a date alone ends at midnight in the operator's time zone). */
function expiryOrNull(ctx: CasContext, text: string | null): number | null {
  return text === null ? null : expiryMs(text, ctx.settings.get().timeZone);
}

export function toAccount(
  ctx: CasContext,
  row: AccountRow,
  packages: string[],
  deviceCount: number,
  withToken: boolean,
): Account {
  const token = tokenOf(ctx, row);
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    status: statusOf(row, ctx.clock.now()),
    enabled: row.enabled === 1,
    expiresAt: isoOrNull(row.expires_at),
    maxConnections: row.max_connections,
    maxDevices: row.max_devices,
    allowedIps: JSON.parse(row.allowed_ips) as string[],
    email: row.email,
    comment: row.comment,
    packages,
    ...(withToken ? { token } : {}),
    tokenPreview: `${tokenPrefixOf(token)}…`,
    hasPassword: row.password_hash !== null,
    deviceCount,
    createdAt: isoFromMs(row.created_at),
    updatedAt: isoFromMs(row.updated_at),
  };
}

/**
 * An account as its audit diff compares it: the API view, with password and token as their hashes
 * (the diff lists them only as "changed") and without what derives from other fields.
 */
function auditViewOf(ctx: CasContext, id: number): Record<string, unknown> {
  const row = accountById(ctx.db, id);
  if (!row) return {};
  const { status: _status, deviceCount: _devices, hasPassword: _hasPassword, tokenPreview: _preview, ...view } = toAccount(ctx, row, packagesOfAccount(ctx.db, id), 0, false);
  return { ...view, password: row.password_hash, token: row.token_hash };
}

/** The store filter for the filters of a list query (`token` and `hwid` are prefixes, the HWID in any case). */
export function accountFilterOf(
  ctx: CasContext,
  query: Pick<z.output<typeof accountListQuerySchema>, 'q' | 'package' | 'hwid' | 'token' | 'role' | 'status' | 'expiresWithinDays'>,
): AccountFilter {
  return {
    q: query.q || undefined,
    package: query.package,
    hwidPrefix: query.hwid,
    ...(query.token ? tokenPrefixFilter(ctx, query.token) : {}),
    role: query.role,
    status: query.status,
    expiresWithinDays: query.expiresWithinDays,
  };
}

/** Packages and device counts of a page of accounts, in two indexed queries. */
export function relationsOf(ctx: CasContext, ids: number[]): { packages: Map<number, string[]>; deviceCounts: Map<number, number> } {
  return { packages: packagesOfAccounts(ctx.db, ids), deviceCounts: deviceCountsOf(ctx.db, ids) };
}

/** The columns of an account row written from a full account input (create, or an imported overwrite). */
function accountColumns(ctx: CasContext, input: AccountCreateParsed, token: string, passwordHash: string | null, now: number) {
  const tokenHash = sha256Hex(token);
  return {
    username: input.username,
    password_hash: passwordHash,
    role: input.role,
    comment: input.comment,
    email: input.email,
    token_hash: tokenHash,
    token_sealed: ctx.vault.seal(token, tokenAad(tokenHash)),
    token_prefix: tokenPrefixOf(token),
    enabled: input.enabled ? 1 : (0 as 0 | 1),
    expires_at: expiryOrNull(ctx, input.expiresAt),
    max_connections: input.maxConnections,
    max_devices: input.maxDevices,
    allowed_ips: JSON.stringify(input.allowedIps),
    updated_at: now,
  };
}

function assertPackagesExist(ctx: CasContext, packages: readonly string[]): void {
  const missing = missingPackages(ctx.db, packages);
  if (missing.length > 0) throw new ValidationError('unknown_package', { id: missing[0] }, `packages: unknown package "${missing[0]}"`, 'packages');
}

function assertUniqueToken(ctx: CasContext, tokenHash: string, exceptId?: number): void {
  const holder = accountByTokenHash(ctx.db, tokenHash);
  if (holder && holder.id !== exceptId) throw new ConflictError('token_taken', {}, 'Another account already uses this token', 'token');
}

function assertUniqueUsername(ctx: CasContext, username: string, exceptId?: number): void {
  const holder = accountByUsername(ctx.db, username);
  if (holder && holder.id !== exceptId) throw new ConflictError('username_taken', { username }, `Username "${username}" is taken`, 'username');
}

function isUsableOperator(row: AccountRow | undefined, now: number): boolean {
  return row !== undefined && row.role !== 'user' && statusOf(row, now) === 'active';
}

/**
 * Runs `change` inside the caller's transaction and refuses it (409, rolled back with it) when it
 * would leave the acting operator unable to sign in as before (disabled, expired, demoted or
 * deleted: `own_account`) or leave no enabled administrator (`last_admin`). Checking the state
 * after the change covers every path that writes accounts, single or bulk.
 */
function keepingOperators<T>(ctx: CasContext, actor: Actor, change: () => T): T {
  const { db, clock } = ctx;
  const now = clock.now();
  const ownBefore = actor.id === null ? undefined : accountById(db, actor.id);
  const hadAdmin = firstUsableAdmin(db, now) !== null;
  const result = change();
  if (ownBefore && isUsableOperator(ownBefore, now)) {
    const ownAfter = accountById(db, ownBefore.id);
    if (!isUsableOperator(ownAfter, now) || ownAfter?.role !== ownBefore.role) {
      const params = { username: ownBefore.username };
      throw new ApiError(409, 'own_account', params, `You cannot disable, demote, expire or delete your own account "${ownBefore.username}"`, { details: params });
    }
  }
  if (hadAdmin && firstUsableAdmin(db, now) === null) {
    throw new ApiError(409, 'last_admin', {}, 'At least one enabled administrator must remain', { details: {} });
  }
  return result;
}

/** Subscribers and operators: one table, validated at the API edge, changed in transactions. */
export class AccountService {
  constructor(private readonly ctx: CasContext) {}

  list(query: z.output<typeof accountListQuerySchema>, withTokens: boolean): Page<Account> {
    const { db, clock } = this.ctx;
    const { rows, total } = listAccountRows(
      db,
      accountFilterOf(this.ctx, query),
      { now: clock.now(), page: query.page, pageSize: query.pageSize, sort: query.sort, order: query.order },
    );
    const { packages, deviceCounts } = relationsOf(
      this.ctx,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((row) => toAccount(this.ctx, row, packages.get(row.id) ?? [], deviceCounts.get(row.id) ?? 0, withTokens)),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  get(id: number, withToken: boolean): AccountDetail {
    const row = accountById(this.ctx.db, id);
    if (!row) throw new NotFoundError('account_not_found', { id }, 'Account not found');
    const devices = devicesOfAccount(this.ctx.db, id);
    return {
      ...toAccount(this.ctx, row, packagesOfAccount(this.ctx.db, id), devices.length, withToken),
      devices: devices.map((d) => ({
        id: d.id,
        hwid: d.hwid,
        firstSeenAt: isoFromMs(d.first_seen_at),
        lastSeenAt: isoFromMs(d.last_seen_at),
        lastIp: d.last_ip,
      })),
    };
  }

  async create(input: AccountCreateParsed, actor: Actor): Promise<AccountDetail> {
    // scrypt is slow and asynchronous: hash before the (synchronous) transaction.
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    const id = this.insertPrepared(input, passwordHash, actor);
    this.ctx.events.emit('accounts-changed', [id]);
    return this.get(id, true);
  }

  /**
   * Inserts an account whose password is already hashed; the caller may hold a transaction.
   * `audit: false` for an import, which writes one entry for all its accounts.
   */
  insertPrepared(input: AccountCreateParsed, passwordHash: string | null, actor: Actor, options: { audit: boolean } = { audit: true }): number {
    const { db, clock } = this.ctx;
    const token = input.token ?? randomToken();
    const tokenHash = sha256Hex(token);
    return db.transaction(() => {
      assertUniqueUsername(this.ctx, input.username);
      assertUniqueToken(this.ctx, tokenHash);
      assertPackagesExist(this.ctx, input.packages);
      const now = clock.now();
      const id = insertAccount(db, { ...accountColumns(this.ctx, input, token, passwordHash, now), created_at: now });
      replaceAccountPackages(db, id, input.packages);
      if (input.hwid !== undefined) bindDevice(db, id, input.hwid, now);
      if (!options.audit) return id;
      recordAudit(db, now, actor, {
        action: 'account.create',
        targetType: 'account',
        targetId: id,
        summary: {
          username: input.username,
          role: input.role,
          packages: input.packages,
          enabled: input.enabled,
          expiresAt: input.expiresAt,
          password: passwordHash ? 'set' : 'none',
          token: input.token === undefined ? 'generated' : 'typed',
          ...(input.hwid === undefined ? {} : { hwid: input.hwid }),
        },
      });
      return id;
    })();
  }

  /**
   * Overwrites an account with imported values, its token and (already hashed) password included;
   * the caller holds the transaction, writes one audit entry for its whole import, and emits the
   * events once it has committed.
   */
  replacePrepared(id: number, input: AccountCreateParsed & { token: string }, passwordHash: string | null, actor: Actor): void {
    const { db, clock } = this.ctx;
    const tokenHash = sha256Hex(input.token);
    db.transaction(() => keepingOperators(this.ctx, actor, () => {
      assertUniqueUsername(this.ctx, input.username, id);
      assertUniqueToken(this.ctx, tokenHash, id);
      assertPackagesExist(this.ctx, input.packages);
      updateAccountColumns(db, id, accountColumns(this.ctx, input, input.token, passwordHash, clock.now()));
      replaceAccountPackages(db, id, input.packages);
    }))();
  }

  /** `keepAdminSession`: the caller's own admin session, kept when it changes its own password. */
  async update(id: number, patch: z.output<typeof accountUpdateSchema>, actor: Actor, keepAdminSession?: string): Promise<AccountDetail> {
    const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
    const { db, clock } = this.ctx;
    const trustChanged = db.transaction((): boolean => keepingOperators(this.ctx, actor, () => {
      const row = accountById(db, id);
      if (!row) throw new NotFoundError('account_not_found', { id }, 'Account not found');
      const before = auditViewOf(this.ctx, id);
      if (patch.username !== undefined) assertUniqueUsername(this.ctx, patch.username, id);
      if (patch.packages !== undefined) assertPackagesExist(this.ctx, patch.packages);
      const role = patch.role ?? row.role;
      if (role !== 'user' && row.password_hash === null && passwordHash === undefined) {
        throw new ValidationError('password_required_for_operator', { field: 'password' }, 'password: Admins and observers sign in with a password', 'password');
      }
      const columns: Parameters<typeof updateAccountColumns>[2] = {};
      if (patch.username !== undefined) columns.username = patch.username;
      if (passwordHash !== undefined) columns.password_hash = passwordHash;
      if (patch.role !== undefined) columns.role = patch.role;
      if (patch.comment !== undefined) columns.comment = patch.comment;
      if (patch.email !== undefined) columns.email = patch.email;
      if (patch.enabled !== undefined) columns.enabled = patch.enabled ? 1 : 0;
      if (patch.expiresAt !== undefined) columns.expires_at = expiryOrNull(this.ctx, patch.expiresAt);
      if (patch.maxConnections !== undefined) columns.max_connections = patch.maxConnections;
      if (patch.maxDevices !== undefined) columns.max_devices = patch.maxDevices;
      if (patch.allowedIps !== undefined) columns.allowed_ips = JSON.stringify(patch.allowedIps);
      const now = clock.now();
      columns.updated_at = now;
      updateAccountColumns(db, id, columns);
      if (patch.packages !== undefined) replaceAccountPackages(db, id, patch.packages);
      recordAudit(db, now, actor, {
        action: 'account.update',
        targetType: 'account',
        targetId: id,
        summary: { username: row.username },
        changes: fieldChanges(before, auditViewOf(this.ctx, id)),
      });
      const expiresAt = patch.expiresAt === undefined ? undefined : expiryOrNull(this.ctx, patch.expiresAt);
      return (
        passwordHash !== undefined ||
        role !== row.role ||
        patch.enabled === false ||
        (expiresAt !== undefined && expiresAt !== null && expiresAt <= now)
      );
    }))();
    if (trustChanged) this.ctx.events.emit('account-trust-changed', { ids: [id], keepAdminSession });
    this.ctx.events.emit('accounts-changed', [id]);
    return this.get(id, true);
  }

  delete(id: number, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() =>
      keepingOperators(this.ctx, actor, () => {
        const row = accountById(db, id);
        if (!row) throw new NotFoundError('account_not_found', { id }, 'Account not found');
        deleteAccount(db, id);
        recordAudit(db, clock.now(), actor, {
          action: 'account.delete',
          targetType: 'account',
          targetId: id,
          summary: { username: row.username },
        });
      }),
    )();
    this.ctx.events.emit('account-trust-changed', { ids: [id] });
    this.ctx.events.emit('accounts-changed', [id]);
  }

  regenerateToken(id: number, actor: Actor): AccountDetail {
    const { db, vault, clock } = this.ctx;
    const token = randomToken();
    const tokenHash = sha256Hex(token);
    db.transaction(() => {
      if (!accountById(db, id)) throw new NotFoundError('account_not_found', { id }, 'Account not found');
      const now = clock.now();
      updateAccountColumns(db, id, {
        token_hash: tokenHash,
        token_sealed: vault.seal(token, tokenAad(tokenHash)),
        token_prefix: tokenPrefixOf(token),
        updated_at: now,
      });
      recordAudit(db, now, actor, { action: 'account.token.regenerate', targetType: 'account', targetId: id, changes: [{ field: 'token', secret: true }] });
    })();
    // Device sign-ins were proven with the old token; viewers may be holding it.
    this.ctx.events.emit('account-trust-changed', { ids: [id] });
    this.ctx.events.emit('accounts-changed', [id]);
    return this.get(id, true);
  }

  unbindDevice(accountId: number, deviceId: number, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const device = deviceById(db, deviceId);
      if (!device || device.account_id !== accountId) throw new NotFoundError('device_not_found', { id: deviceId }, 'Device not found');
      deleteDevice(db, deviceId);
      recordAudit(db, clock.now(), actor, {
        action: 'account.device.unbind',
        targetType: 'account',
        targetId: accountId,
        summary: { hwid: device.hwid },
      });
    })();
    this.ctx.events.emit('accounts-changed', [accountId]);
  }

  bulk(action: AccountBulk, actor: Actor): { affected: number } {
    const { db, clock } = this.ctx;
    const ids = [...new Set(action.ids)];
    const affected = db.transaction(() => keepingOperators(this.ctx, actor, () => {
      const now = clock.now();
      const usernames = usernamesOf(db, ids);
      let changes = 0;
      switch (action.action) {
        case 'enable':
        case 'disable':
          changes = setAccountsEnabled(db, ids, action.action === 'enable', now);
          break;
        case 'delete':
          changes = deleteAccounts(db, ids);
          break;
        case 'extend':
          changes = extendAccounts(db, ids, action.days * DAY_MS, now);
          break;
        case 'addPackage':
          assertPackagesExist(this.ctx, [action.package]);
          changes = addPackageToAccounts(db, ids, action.package);
          break;
        case 'removePackage':
          changes = removePackageFromAccounts(db, ids, action.package);
          break;
      }
      const { ids: _ids, action: _action, ...parameters } = action;
      // One entry for the whole action, naming every account it was asked to change.
      recordAudit(db, now, actor, {
        action: `account.bulk.${action.action}`,
        targetType: 'account',
        targetId: null,
        summary: { ...parameters, count: usernames.size, changed: changes },
        subjects: ids.flatMap((id) => usernames.get(id) ?? []),
      });
      return changes;
    }))();
    if (action.action === 'disable' || action.action === 'delete') this.ctx.events.emit('account-trust-changed', { ids });
    this.ctx.events.emit('accounts-changed', ids);
    return { affected };
  }
}

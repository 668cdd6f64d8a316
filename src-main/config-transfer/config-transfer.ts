import type { CasContext } from '../kernel/context';
import type { Actor } from '../kernel/actor';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { openWithPassphrase, sealWithPassphrase } from '../crypto/passphrase-seal';
import { accountByUsername, accountRowChunks, packagesOfAccount, packagesOfAccounts, type AccountRow } from '../accounts/account-queries';
import { tokenOf, type AccountService } from '../accounts/account-service';
import type { PackageService } from '../packages/package-service';
import { toChannel, type ChannelService } from '../channels/channel-service';
import { channelRowById, packagesOfChannel } from '../channels/channel-queries';
import { ApiError, ValidationError } from '../../src-shared/errors';
import type { Channel } from '../../src-shared/schemas/channels';
import { settingsSecretNames } from '../../src-shared/schemas/settings';
import {
  CONFIG_FORMAT,
  CONFIG_VERSION,
  configFileSchema,
  RENAMED_CONFIG_SETTINGS,
  configSealedPayloadSchema,
  type ConfigChanges,
  type ConfigFile,
  type ConfigImportResult,
  type ConfigSealedPayload,
} from '../../src-shared/schemas/config-transfer';
import { canonicalJson, clearPartDigest, SEALED_AAD } from './config-file';

type ConfigAccount = ConfigFile['accounts'][number];
type ConfigChannel = ConfigFile['channels'][number];
type AccountSecrets = ConfigSealedPayload['accounts'][number];

const LISTED_IDS = 200;

function accountOfRow(row: AccountRow, packages: string[]): ConfigAccount {
  return {
    username: row.username,
    role: row.role,
    packages,
    maxConnections: row.max_connections,
    maxDevices: row.max_devices,
    expiresAt: isoOrNull(row.expires_at),
    allowedIps: JSON.parse(row.allowed_ips) as string[],
    email: row.email,
    comment: row.comment,
    enabled: row.enabled === 1,
  };
}

function channelOf(channel: Channel): ConfigChannel {
  const { id, name, number, group, groupOrder, position, logo, streamPath, enabled, packages, cryptoPeriodSeconds, hlsOrigin, watermark, urlSigning, streamBaseUrl } =
    channel;
  return { id, name, number, group, groupOrder, position, logo, streamPath, enabled, packages, cryptoPeriodSeconds, hlsOrigin, watermark, urlSigning, streamBaseUrl };
}

class Changes {
  readonly result: ConfigChanges = { created: 0, updated: 0, unchanged: 0, createdIds: [], updatedIds: [] };
  count(kind: 'created' | 'updated' | 'unchanged', id: string): void {
    this.result[kind]++;
    if (kind === 'created' && this.result.createdIds.length < LISTED_IDS) this.result.createdIds.push(id);
    if (kind === 'updated' && this.result.updatedIds.length < LISTED_IDS) this.result.updatedIds.push(id);
  }
}

/** Thrown inside a dry run's transaction so that everything it wrote is rolled back. */
class DryRunDone extends Error {}

/** Runs `write` for one row of the file; a refusal names the row's field in the file. */
function inRow<T>(field: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof ApiError) {
      const inner = error.extra.field;
      const where = inner ? `${field}.${inner}` : field;
      throw new ApiError(error.status, error.code, { ...error.params, field: where }, `${where}: ${error.message.replace(/^[\w.]+: /, '')}`, { field: where });
    }
    throw error;
  }
}

/**
 * The whole configuration as one file for moving a CAS (see src-shared/schemas/config-transfer.ts):
 * export, and import — a dry run reporting what would change, or all of it in one transaction.
 * An import adds and overwrites; it deletes nothing the file does not name.
 */
export class ConfigTransfer {
  constructor(
    private readonly ctx: CasContext,
    private readonly services: { accounts: AccountService; packages: PackageService; channels: ChannelService },
  ) {}

  async export(options: { passphrase: string; includeSecrets: boolean }, exportedBy: string): Promise<ConfigFile> {
    const { db, clock, settings } = this.ctx;
    const accounts: ConfigAccount[] = [];
    const accountSecrets: AccountSecrets[] = [];
    for (const chunk of accountRowChunks(db, {}, clock.now())) {
      const packages = packagesOfAccounts(
        db,
        chunk.map((r) => r.id),
      );
      for (const row of chunk) {
        accounts.push(accountOfRow(row, packages.get(row.id) ?? []));
        accountSecrets.push({ username: row.username, token: tokenOf(this.ctx, row), passwordHash: row.password_hash });
      }
    }
    const clear = configFileSchema.omit({ sealed: true }).parse({
      format: CONFIG_FORMAT,
      version: CONFIG_VERSION,
      exportedAt: isoFromMs(clock.now()),
      exportedBy,
      packages: this.services.packages.list().map(({ id, name, description }) => ({ id, name, description })),
      channels: this.#allChannels().map(channelOf),
      accounts,
      settings: settings.get(),
      includesSecrets: options.includeSecrets,
    });
    const payload: ConfigSealedPayload = {
      digest: clearPartDigest(clear),
      accounts: accountSecrets,
      secrets: options.includeSecrets ? this.#currentSecrets() : null,
    };
    const sealed = await sealWithPassphrase(Buffer.from(JSON.stringify(payload), 'utf8'), options.passphrase, SEALED_AAD);
    return { ...clear, sealed };
  }

  async import(file: ConfigFile, options: { passphrase: string; dryRun: boolean }, actor: Actor): Promise<ConfigImportResult> {
    const secrets = await this.#openSealed(file, options.passphrase);
    this.#refuseDuplicates(file);
    const { db, clock } = this.ctx;
    const settingsPatch = this.#settingsChanges(file.settings, secrets.secrets);
    const replaced: number[] = [];
    const touched: number[] = [];
    const written: string[] = [];
    let outcome: ConfigImportResult | null = null;
    try {
      db.transaction(() => {
        const packages = this.#importPackages(file, actor);
        const channels = this.#importChannels(file, actor);
        const accounts = this.#importAccounts(file, secrets.accounts, actor, { replaced, touched, written });
        outcome = { dryRun: options.dryRun, packages, channels, accounts, settings: Object.keys(settingsPatch) };
        if (options.dryRun) throw new DryRunDone();
        // Settings last: they change the in-memory document, which a later failure would not roll back.
        this.ctx.settings.applyPatch(settingsPatch);
        // One entry for the whole import, naming every account it created or overwrote.
        recordAudit(db, clock.now(), actor, {
          action: 'config.import',
          targetType: 'settings',
          summary: {
            packages: packages.created + packages.updated,
            channels: channels.created + channels.updated,
            accountsCreated: accounts.created,
            accountsUpdated: accounts.updated,
            settings: Object.keys(settingsPatch),
          },
          subjects: written,
        });
      })();
    } catch (error) {
      if (!(error instanceof DryRunDone)) throw error;
      // Caches may have read the rolled-back rows: they read again.
      this.ctx.events.emit('accounts-changed', null);
      return outcome!;
    }
    if (replaced.length > 0) this.ctx.events.emit('account-trust-changed', { ids: replaced });
    if (touched.length > 0) this.ctx.events.emit('accounts-changed', touched);
    return outcome!;
  }

  async #openSealed(file: ConfigFile, passphrase: string): Promise<ConfigSealedPayload> {
    const opened = await openWithPassphrase(file.sealed, passphrase, SEALED_AAD);
    let payload: ConfigSealedPayload;
    try {
      payload = configSealedPayloadSchema.parse(JSON.parse(opened.toString('utf8')));
    } catch {
      throw new ValidationError('config_sealed_part_unknown', {}, 'file.sealed: The sealed part is not what this release writes', 'file.sealed');
    }
    if (payload.digest !== clearPartDigest(file)) {
      throw new ValidationError('config_file_changed', {}, 'file: The file was changed after it was exported; export it again', 'file');
    }
    if (payload.accounts.length !== file.accounts.length || payload.accounts.some((a, i) => a.username !== file.accounts[i].username)) {
      throw new ValidationError('config_accounts_mismatch', {}, 'file.accounts: The accounts do not match their sealed tokens', 'file.accounts');
    }
    if (file.includesSecrets !== (payload.secrets !== null)) {
      throw new ValidationError('config_secrets_flag_mismatch', {}, 'file.includesSecrets: Does not match the sealed part', 'file.includesSecrets');
    }
    return payload;
  }

  #refuseDuplicates(file: ConfigFile): void {
    const lists: Array<[string, string[]]> = [
      ['packages', file.packages.map((p) => p.id)],
      ['channels', file.channels.map((c) => c.id)],
      ['accounts', file.accounts.map((a) => a.username.toLowerCase())],
    ];
    for (const [list, ids] of lists) {
      const seen = new Set<string>();
      ids.forEach((id, i) => {
        const field = `file.${list}.${i}.${list === 'accounts' ? 'username' : 'id'}`;
        if (seen.has(id)) throw new ValidationError('config_id_repeated', { field, id }, `${field}: "${id}" appears twice`, field);
        seen.add(id);
      });
    }
  }

  #importPackages(file: ConfigFile, actor: Actor): ConfigChanges {
    const changes = new Changes();
    const { packages } = this.services;
    const existing = new Map(packages.list().map((p) => [p.id, p]));
    file.packages.forEach((pkg, i) => {
      const current = existing.get(pkg.id);
      if (!current) {
        inRow(`file.packages.${i}`, () => packages.create({ ...pkg, channels: [] }, actor));
        changes.count('created', pkg.id);
      } else if (current.name !== pkg.name || current.description !== pkg.description) {
        inRow(`file.packages.${i}`, () => packages.update(pkg.id, { name: pkg.name, description: pkg.description }, actor));
        changes.count('updated', pkg.id);
      } else changes.count('unchanged', pkg.id);
    });
    return changes.result;
  }

  #importChannels(file: ConfigFile, actor: Actor): ConfigChanges {
    const changes = new Changes();
    const { channels } = this.services;
    file.channels.forEach((channel, i) => {
      const row = channelRowById(this.ctx.db, channel.id);
      if (!row) {
        inRow(`file.channels.${i}`, () => channels.create(channel, actor));
        changes.count('created', channel.id);
        return;
      }
      if (canonicalJson(channelOf(toChannel(row, packagesOfChannel(this.ctx.db, channel.id)))) === canonicalJson(channel)) {
        changes.count('unchanged', channel.id);
        return;
      }
      const { id: _id, ...patch } = channel;
      inRow(`file.channels.${i}`, () => channels.update(channel.id, patch, actor));
      changes.count('updated', channel.id);
    });
    return changes.result;
  }

  #importAccounts(file: ConfigFile, sealed: AccountSecrets[], actor: Actor, ids: { replaced: number[]; touched: number[]; written: string[] }): ConfigChanges {
    const changes = new Changes();
    const { db } = this.ctx;
    file.accounts.forEach((account, i) => {
      const { token, passwordHash } = sealed[i];
      const row = accountByUsername(db, account.username);
      const input = { ...account, token };
      if (!row) {
        ids.touched.push(inRow(`file.accounts.${i}`, () => this.services.accounts.insertPrepared(input, passwordHash, actor, { audit: false })));
        ids.written.push(account.username);
        changes.count('created', account.username);
        return;
      }
      const current = { ...accountOfRow(row, packagesOfAccount(db, row.id)), token: tokenOf(this.ctx, row), passwordHash: row.password_hash };
      if (canonicalJson(current) === canonicalJson({ ...input, passwordHash })) {
        changes.count('unchanged', account.username);
        return;
      }
      inRow(`file.accounts.${i}`, () => this.services.accounts.replacePrepared(row.id, input, passwordHash, actor));
      ids.replaced.push(row.id);
      ids.touched.push(row.id);
      ids.written.push(account.username);
      changes.count('updated', account.username);
    });
    return changes.result;
  }

  /** The settings (and, when the file carries them, secrets) whose values differ from this CAS's. */
  #settingsChanges(fileSettings: ConfigFile['settings'], secrets: Record<string, string> | null): Record<string, unknown> {
    const current = this.ctx.settings.get() as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const [written, value] of Object.entries(fileSettings)) {
      const key: string = RENAMED_CONFIG_SETTINGS[written as keyof typeof RENAMED_CONFIG_SETTINGS] ?? written;
      if (key !== written && written in fileSettings && key in fileSettings) continue;
      if (value !== undefined && canonicalJson(value) !== canonicalJson(current[key])) patch[key] = value;
    }
    const known = new Set<string>(settingsSecretNames);
    for (const [name, value] of Object.entries(secrets ?? {})) {
      if (!known.has(name)) throw new ValidationError('config_unknown_secret', { name }, `file.sealed: Unknown secret "${name}"`, 'file.sealed');
      if (this.ctx.settings.secret(name as (typeof settingsSecretNames)[number])?.current !== value) patch[name] = value;
    }
    return patch;
  }

  #currentSecrets(): Record<string, string> {
    const secrets: Record<string, string> = {};
    for (const name of settingsSecretNames) {
      const value = this.ctx.settings.secret(name);
      if (value) secrets[name] = value.current;
    }
    return secrets;
  }

  #allChannels(): Channel[] {
    const all: Channel[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = this.services.channels.list({ page, pageSize: 5000, sort: 'order', order: 'asc' });
      all.push(...items);
      if (all.length >= total || items.length === 0) return all;
    }
  }
}


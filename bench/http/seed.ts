/**
 * The benchmark's data folder: 200 channels in four packages and N accounts, written through the
 * app's own modules (package and channel services; the accounts' queries module in batched
 * transactions, tokens sealed as the product seals them), so 100,000 accounts take seconds.
 */
import { channelCreateSchema } from '../../src-shared/schemas/channels';
import { packageCreateSchema } from '../../src-shared/schemas/packages';
import { openStore } from '../../src-main/app/cas';
import { silentLogger } from '../../src-main/kernel/logger';
import { systemActor } from '../../src-main/kernel/actor';
import { PackageService } from '../../src-main/packages/package-service';
import { ChannelService } from '../../src-main/channels/channel-service';
import { insertAccount, replaceAccountPackages } from '../../src-main/accounts/account-queries';
import { randomToken, sha256Hex, tokenPrefixOf } from '../../src-main/crypto/tokens';
import { tokenAad } from '../../src-main/crypto/sealing-aad';

export const CHANNEL_COUNT = 200;
/** Channel c belongs to PACKAGES[floor(c / 50)]. */
export const PACKAGES = ['basic', 'sport', 'movies', 'premium'] as const;
const CHANNELS_PER_PACKAGE = CHANNEL_COUNT / PACKAGES.length;

export const channelId = (c: number): string => `ch${String(c).padStart(3, '0')}`;
export const streamPathOf = (c: number): string => `/tv/${channelId(c)}/index.m3u8`;
/** A channel every account may watch, and one only "full" accounts may. */
export const basicChannel = (i: number): number => i % CHANNELS_PER_PACKAGE;
export const premiumChannel = (i: number): number => 3 * CHANNELS_PER_PACKAGE + (i % CHANNELS_PER_PACKAGE);

/** Every tenth account holds all four packages (200 channels); every third also sport; the rest basic only. */
export const isFullAccount = (i: number): boolean => i % 10 === 0;
export const isBasicOnlyAccount = (i: number): boolean => i % 10 !== 0 && i % 3 !== 0;
function packagesOf(i: number): string[] {
  if (isFullAccount(i)) return [...PACKAGES];
  return i % 3 === 0 ? ['basic', 'sport'] : ['basic'];
}

/** The load generator's address, a trusted proxy whose X-Forwarded-For names the viewer. */
export const BENCH_PROXY = '127.0.0.1';

export const usernameOf = (i: number): string => `viewer${String(i).padStart(7, '0')}`;
/** The viewer address a streaming server reports for account i (one per account). */
export const viewerIpOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export interface SeedOptions {
  accounts: number;
  /** Per channel: where `/hls` reads its playlists, or null. */
  hlsOriginOf?: (channel: string) => string | null;
  /** Keep the account tokens (index = account number); off for the 1,000,000-account start-up phase. */
  keepTokens: boolean;
}

export interface SeededData {
  tokens: string[];
  seconds: number;
}

export async function seedDataDir(dataDir: string, options: SeedOptions): Promise<SeededData> {
  const started = performance.now();
  const { ctx, db } = await openStore(dataDir, { logger: silentLogger() });
  try {
    const packages = new PackageService(ctx);
    const channels = new ChannelService(ctx);
    // The first migration seeds basic and premium already.
    const existing = new Set(packages.list().map((p) => p.id));
    for (const id of PACKAGES.filter((p) => !existing.has(p))) packages.create(packageCreateSchema.parse({ id, name: id }), systemActor);
    for (let c = 0; c < CHANNEL_COUNT; c++) {
      const input = { id: channelId(c), name: `Channel ${c}`, number: c + 1, packages: [PACKAGES[Math.floor(c / CHANNELS_PER_PACKAGE)]] };
      channels.create(channelCreateSchema.parse({ ...input, hlsOrigin: options.hlsOriginOf?.(input.id) ?? null }), systemActor);
    }
    // Long-lived key tickets, so a ticket fetched once serves a whole run; raised limits, so the
    // benchmark measures the routes rather than the per-address limiter. The load generator on
    // loopback is a trusted proxy: routes that send X-Forwarded-For (playlists) come from many
    // viewer addresses, as behind a real deployment's reverse proxy, each under the per-address limits.
    ctx.settings.applyPatch({ hlsKeyTicketSeconds: 24 * 3600, deviceAuthPerMinute: 100_000, trustedProxies: [BENCH_PROXY] });

    const tokens: string[] = [];
    const now = Date.now();
    const BATCH = 20_000;
    for (let base = 0; base < options.accounts; base += BATCH) {
      db.transaction(() => {
        for (let i = base; i < Math.min(base + BATCH, options.accounts); i++) {
          const token = randomToken();
          if (options.keepTokens) tokens.push(token);
          const hash = sha256Hex(token);
          const id = insertAccount(db, {
            username: usernameOf(i),
            password_hash: null,
            role: 'user',
            comment: '',
            email: null,
            token_hash: hash,
            token_prefix: tokenPrefixOf(token),
            token_sealed: ctx.vault.seal(token, tokenAad(hash)),
            enabled: 1,
            expires_at: now + 365 * 86_400_000,
            max_connections: 2,
            max_devices: 1,
            allowed_ips: '[]',
            created_at: now,
            updated_at: now,
          });
          replaceAccountPackages(db, id, packagesOf(i));
        }
      })();
    }
    db.exec('ANALYZE');
    return { tokens, seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}

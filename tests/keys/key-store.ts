import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openStore } from '../../src-main/app/cas';
import type { CasContext } from '../../src-main/kernel/context';
import { systemActor } from '../../src-main/kernel/actor';
import { ChannelService } from '../../src-main/channels/channel-service';
import { PackageService } from '../../src-main/packages/package-service';
import { channelCreateSchema, type ChannelCreate } from '../../src-shared/schemas/channels';
import { TestClock } from '../helpers/test-cas';

/** A real key store for unit tests: migrated SQLite in a temp folder, a movable clock, captured logs. */
export interface KeyStore {
  ctx: CasContext;
  clock: TestClock;
  /** Every log line written, parsed. */
  logs: Array<Record<string, unknown>>;
  addChannel(input: ChannelCreate): void;
  addPackage(id: string): void;
  setPeriod(channelId: string, cryptoPeriodSeconds: number): void;
  /** Rows of `key_rotations`, oldest first. */
  rotations(): Array<{ kind: string; trigger: string; channel_id: string | null; package_id: string | null; period: number | null; generation: number | null; epoch: number | null; actor: string }>;
  close(): void;
}

/** Opens a key store at a period-aligned instant (so "now" is well inside a period). */
export async function openKeyStore(): Promise<KeyStore> {
  const dir = mkdtempSync(join(tmpdir(), 'cas-keys-'));
  const clock = new TestClock(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 1_000);
  const logs: Array<Record<string, unknown>> = [];
  const sink = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  const { ctx, db } = await openStore(dir, { clock, logger: pino({ level: 'info' }, sink) });
  const channels = new ChannelService(ctx);
  const packages = new PackageService(ctx);
  return {
    ctx,
    clock,
    logs,
    addChannel: (input) => void channels.create(channelCreateSchema.parse(input), systemActor),
    addPackage: (id) => void packages.create({ id, name: id, description: '', channels: [] }, systemActor),
    setPeriod: (channelId, cryptoPeriodSeconds) => void channels.update(channelId, { cryptoPeriodSeconds }, systemActor),
    rotations: () => db.prepare('SELECT * FROM key_rotations ORDER BY id').all() as ReturnType<KeyStore['rotations']>,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

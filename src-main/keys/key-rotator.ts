import type { BackgroundTasks } from '../kernel/background';
import type { Logger } from '../kernel/logger';
import type { CasContext } from '../kernel/context';
import { KeyService } from './key-service';

/** How often the rotator looks: well under the shortest crypto period (2 s). */
export const ROTATOR_INTERVAL_MS = 500;
/** Retention sweeps need not run at every tick. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * The key rotator: a background job of the server process. Each tick makes sure every channel
 * holds the keys of its current and next crypto period and every package its current and next
 * key epoch (idempotent, keyed by period number, so restarts and clock jumps neither leave gaps
 * nor duplicate keys), and each minute deletes keys past their retention window.
 */
export function startKeyRotator(background: BackgroundTasks, keys: KeyService, logger: Logger): void {
  background.every('key-rotator', ROTATOR_INTERVAL_MS, () => keys.ensureKeys(), { runNow: true });
  background.every(
    'key-retention',
    PRUNE_INTERVAL_MS,
    () => {
      const deleted = keys.prune();
      if (deleted.controlWords + deleted.packageKeys + deleted.rotations > 0) logger.info(deleted, 'expired keys deleted');
    },
    { runNow: true },
  );
}

/** Creates the key service of a running CAS with its rotator started. */
export function createKeyService(ctx: CasContext, background: BackgroundTasks): KeyService {
  const keys = new KeyService(ctx);
  startKeyRotator(background, keys, ctx.logger);
  return keys;
}

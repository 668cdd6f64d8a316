import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import type { Diagnostics } from '../kernel/diagnostics';
import { ControlWords } from './control-words';
import { PackageEpochs } from './package-epochs';
import { KeyRotation, startKeyRotator } from './key-rotation';
import { KeyStatusView } from './key-status';
import { CencKeys } from './cenc-keys';

/** CENC keys past retention are swept as often as the other keys. */
const CENC_RETENTION_INTERVAL_MS = 60_000;

/**
 * The key hierarchy under the master key, in its four parts; each caller is handed the part it
 * uses. Control words per (channel, crypto period) and package keys per (package, epoch) are
 * sealed in SQLite with their row identity as AAD (docs/keys.md).
 */
export interface KeyService {
  /** Control words: key delivery, the packager API, ECM, stream info. */
  controlWords: ControlWords;
  /** Package keys per epoch: ECM and EMM. */
  packageEpochs: PackageEpochs;
  /** The rotator's tick and retention sweep, manual rotation. */
  rotation: KeyRotation;
  /** Key status and rotation history for the admin API. */
  status: KeyStatusView;
  /** CENC keys (KID + key) per control word: the DASH packager API, MPD rewrite and ClearKey licenses. */
  cencKeys: CencKeys;
}

/** Creates the key service of a running CAS with its rotator started. */
export function createKeyService(ctx: CasContext, background: BackgroundTasks, diagnostics: Diagnostics): KeyService {
  const controlWords = new ControlWords(ctx, diagnostics);
  const packageEpochs = new PackageEpochs(ctx, diagnostics);
  const rotation = new KeyRotation(ctx, controlWords, packageEpochs);
  startKeyRotator(background, rotation, ctx.logger);
  const cencKeys = new CencKeys(ctx, controlWords);
  background.every('cenc-key-retention', CENC_RETENTION_INTERVAL_MS, () => cencKeys.deleteExpired(ctx.clock.now()), { runNow: true });
  return { controlWords, packageEpochs, rotation, status: new KeyStatusView(ctx), cencKeys };
}

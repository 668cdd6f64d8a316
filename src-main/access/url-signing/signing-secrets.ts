import type { SettingsStore } from '../../kernel/settings-store';
import { ConflictError } from '../../../src-shared/errors';

type SigningSecretName = 'securetokenSecret' | 'secureLinkSecret';

/** The secret new signatures use; a clear 409 naming the setting when the operator has not set it. */
export function currentSigningSecret(settings: SettingsStore, name: SigningSecretName): string {
  const secret = settings.secret(name);
  if (!secret) throw new ConflictError('signing_secret_missing', { name }, `Set ${name} in the settings before signing stream URLs with it`, name);
  return secret.current;
}

/** Secrets a signature may be made with: the current one, and the previous one during the grace period. */
export function acceptedSigningSecrets(settings: SettingsStore, name: SigningSecretName, now: number): string[] {
  const secret = settings.secret(name);
  if (!secret) return [];
  const graceMs = settings.get().signingSecretGraceMinutes * 60_000;
  return secret.previous !== null && now - secret.rotatedAt < graceMs ? [secret.current, secret.previous] : [secret.current];
}

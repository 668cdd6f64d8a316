/**
 * The associated data each sealed column is sealed with: the row's identity, so a sealed value
 * copied into another row (or column) does not open. One place, because sealing, opening and
 * re-keying (sealed-columns.ts) must agree to the byte.
 */

export function tokenAad(tokenHash: string): string {
  return `accounts.token:${tokenHash}`;
}

export function secretAad(slot: 'current' | 'previous', name: string): string {
  return `secrets.${slot}:${name}`;
}

export function controlWordAad(channelId: string, periodSeconds: number, period: number, generation: number): string {
  return `control_words.key:${channelId}:${periodSeconds}:${period}:${generation}`;
}

export function cencKeyAad(channelId: string, periodSeconds: number, period: number, generation: number): string {
  return `cenc_keys.key:${channelId}:${periodSeconds}:${period}:${generation}`;
}

export function packageKeyAad(packageId: string, epoch: number): string {
  return `package_keys.key:${packageId}:${epoch}`;
}

export function signingSeedAad(id: number): string {
  return `cas_signing_keys.seed:${id}`;
}

import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { Actor } from '../kernel/actor';
import { recordAudit } from '../audit/audit-log';
import { settingsSecretNames, type settingsPatchSchema } from '../../src-shared/schemas/settings';
import { isLoopbackUrlHost } from '../../src-shared/schemas/links';
import { ValidationError } from '../../src-shared/errors';

const secretNames = new Set<string>(settingsSecretNames);

/** Applies a settings patch and audits what changed (a rotated secret shows as "rotated"), in one transaction. */
export function updateSettings(ctx: CasContext, patch: z.output<typeof settingsPatchSchema>, actor: Actor): void {
  refuseLoopbackPublicUrl(ctx, patch);
  ctx.db.transaction(() => {
    const changed = ctx.settings.applyPatch(patch);
    if (changed.length === 0) return;
    const summary: Record<string, unknown> = {};
    for (const key of changed) {
      summary[key] = secretNames.has(key) ? 'rotated' : (patch as Record<string, unknown>)[key];
    }
    recordAudit(ctx.db, ctx.clock.now(), actor, { action: 'settings.update', targetType: 'settings', summary });
  })();
}

/**
 * Links with a loopback host reach only this machine, never a customer's device: the public base
 * URL may be one only when the operator says so (`publicBaseUrlAllowLoopback`, e.g. a test bench).
 */
function refuseLoopbackPublicUrl(ctx: CasContext, patch: z.output<typeof settingsPatchSchema>): void {
  const current = ctx.settings.get();
  const url = patch.publicBaseUrl === undefined ? current.publicBaseUrl : patch.publicBaseUrl;
  const allowed = patch.publicBaseUrlAllowLoopback ?? current.publicBaseUrlAllowLoopback;
  if (url && !allowed && isLoopbackUrlHost(new URL(url).hostname)) {
    throw new ValidationError(
      'A loopback address (127.0.0.1, ::1, localhost) reaches only this machine: use its LAN address or name, or allow loopback links on purpose',
      'publicBaseUrl',
    );
  }
}

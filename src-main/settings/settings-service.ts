import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { Actor } from '../kernel/actor';
import { recordAudit } from '../audit/audit-log';
import { fieldChanges } from '../audit/audit-diff';
import { settingsSecretNames, type settingsPatchSchema } from '../../src-shared/schemas/settings';
import { isLoopbackUrlHost } from '../../src-shared/schemas/links';
import { ValidationError } from '../../src-shared/errors';

const secretNames = new Set<string>(settingsSecretNames);

/** Applies a settings patch and audits what changed, field by field (a rotated secret only as "changed"), in one transaction. */
export function updateSettings(ctx: CasContext, patch: z.output<typeof settingsPatchSchema>, actor: Actor): void {
  refuseLoopbackPublicUrl(ctx, patch);
  ctx.db.transaction(() => {
    const before = ctx.settings.get();
    const changed = ctx.settings.applyPatch(patch);
    if (changed.length === 0) return;
    const rotated = changed.filter((key) => secretNames.has(key)).map((field) => ({ field, secret: true as const }));
    recordAudit(ctx.db, ctx.clock.now(), actor, {
      action: 'settings.update',
      targetType: 'settings',
      changes: [...fieldChanges(before, ctx.settings.get()), ...rotated],
    });
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
      'public_url_loopback',
      { field: 'publicBaseUrl' },
      'A loopback address (127.0.0.1, ::1, localhost) reaches only this machine: use its LAN address or name, or allow loopback links on purpose',
      'publicBaseUrl',
    );
  }
}

import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { Actor } from '../kernel/actor';
import { recordAudit } from '../audit/audit-log';
import { settingsSecretNames, type settingsPatchSchema } from '../../src-shared/schemas/settings';

const secretNames = new Set<string>(settingsSecretNames);

/** Applies a settings patch and audits what changed (a rotated secret shows as "rotated"), in one transaction. */
export function updateSettings(ctx: CasContext, patch: z.output<typeof settingsPatchSchema>, actor: Actor): void {
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

import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { Actor } from '../kernel/actor';
import { recordAudit } from '../audit/audit-log';
import { fieldChanges } from '../audit/audit-diff';
import { settingsSecretNames, type settingsPatchSchema } from '../../src-shared/schemas/settings';

const secretNames = new Set<string>(settingsSecretNames);

/** Applies a settings patch and audits what changed, field by field (a rotated secret only as "changed"), in one transaction. */
export function updateSettings(ctx: CasContext, patch: z.output<typeof settingsPatchSchema>, actor: Actor): void {
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

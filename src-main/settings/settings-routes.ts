import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { recordAudit } from '../audit/audit-log';
import { settingsPatchSchema, settingsSecretNames, settingsViewSchema } from '../../src-shared/schemas/settings';

export function registerSettingsRoutes(api: ApiRouter, ctx: CasContext): void {
  const tag = 'Settings';
  const secretNames = new Set<string>(settingsSecretNames);
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/settings',
        summary: 'The settings document; secrets show only whether they are set',
        tag,
        access: 'read',
        response: settingsViewSchema,
      },
      () => ctx.settings.view(),
    )
    .route(
      {
        method: 'patch',
        path: '/api/admin/settings',
        summary: 'Change settings; a secret given here replaces the current one (the old one stays valid for the grace period)',
        tag,
        access: 'write',
        body: settingsPatchSchema,
        response: settingsViewSchema,
      },
      (_koa, { body, principal }) => {
        ctx.db.transaction(() => {
          const changed = ctx.settings.applyPatch(body);
          if (changed.length === 0) return;
          const summary: Record<string, unknown> = {};
          for (const key of changed) {
            summary[key] = secretNames.has(key) ? 'rotated' : (body as Record<string, unknown>)[key];
          }
          recordAudit(ctx.db, ctx.clock.now(), actorOf(principal), { action: 'settings.update', targetType: 'settings', summary });
        })();
        return ctx.settings.view();
      },
    );
}

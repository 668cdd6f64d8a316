import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { settingsPatchSchema, settingsViewSchema } from '../../src-shared/schemas/settings';
import { updateSettings } from './settings-service';

export function registerSettingsRoutes(api: ApiRouter, ctx: CasContext): void {
  const tag = 'Settings';
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
        updateSettings(ctx, body, actorOf(principal));
        return ctx.settings.view();
      },
    );
}

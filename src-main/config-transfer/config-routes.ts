import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import type { CasContext } from '../kernel/context';
import {
  configExportRequestSchema,
  configFileSchema,
  configImportRequestSchema,
  configImportResultSchema,
} from '../../src-shared/schemas/config-transfer';
import type { ConfigTransfer } from './config-transfer';

export const CONFIG_EXPORT_PATH = '/api/admin/config/export';
export const CONFIG_IMPORT_PATH = '/api/admin/config/import';

/** Export and import of the whole configuration; the passphrase travels in the body, never in a URL. */
export function registerConfigRoutes(api: ApiRouter, ctx: CasContext, transfer: ConfigTransfer): void {
  const tag = 'Configuration';
  api
    .route(
      {
        method: 'post',
        path: CONFIG_EXPORT_PATH,
        summary: 'The whole configuration as one file (tokens, password hashes and, if asked, secrets sealed under the passphrase)',
        tag,
        access: 'write',
        body: configExportRequestSchema,
        response: configFileSchema,
      },
      async (koa, { body, principal }) => {
        const actor = actorOf(principal);
        const file = await transfer.export(body, actor.name);
        ctx.logger.info({ actor: actor.name, accounts: file.accounts.length, includesSecrets: file.includesSecrets }, 'configuration exported');
        koa.attachment(`cas-config-${file.exportedAt.slice(0, 10)}.json`);
        return file;
      },
    )
    .route(
      {
        method: 'post',
        path: CONFIG_IMPORT_PATH,
        summary: 'Import a configuration file: dryRun=true (the default) reports what would change; dryRun=false writes it all in one transaction',
        tag,
        access: 'write',
        body: configImportRequestSchema,
        response: configImportResultSchema,
      },
      async (_koa, { body, principal }) => {
        const actor = actorOf(principal);
        const result = await transfer.import(body.file, body, actor);
        if (!result.dryRun) ctx.logger.info({ actor: actor.name, packages: result.packages, channels: result.channels, accounts: { created: result.accounts.created, updated: result.accounts.updated } }, 'configuration imported');
        return result;
      },
    );
}

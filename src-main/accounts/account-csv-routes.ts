import { Readable } from 'node:stream';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { actorOf, type Principal } from '../http/principal';
import {
  accountCsvExportQuerySchema,
  accountCsvImportResultSchema,
  accountCsvImportSchema,
} from '../../src-shared/schemas/account-csv';
import { AccountCsv } from './account-csv';
import { AccountService } from './account-service';

/** Full tokens go to admins and admin-write keys only (as in the accounts list). */
function seesTokens(principal: Principal | null): boolean {
  if (!principal) return false;
  return principal.kind === 'session' ? principal.role === 'admin' : principal.scopes.includes('admin-write');
}

/**
 * Registered before the account routes: `GET /api/admin/accounts/export.csv` would otherwise be
 * taken for an account id.
 */
export function registerAccountCsvRoutes(api: ApiRouter, ctx: CasContext, accounts = new AccountService(ctx)): void {
  const tag = 'Accounts';
  const csv = new AccountCsv(ctx, accounts);
  api
    .route(
      {
        method: 'post',
        path: '/api/admin/accounts/import',
        summary:
          'Import accounts from CSV: dryRun=true checks every row and reports per-row errors; dryRun=false writes all valid rows in one transaction',
        tag,
        access: 'write',
        body: accountCsvImportSchema,
        response: accountCsvImportResultSchema,
      },
      (_koa, { body, principal }) => csv.import(body, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/accounts/export.csv',
        summary: 'The filtered accounts list as CSV (same filters as the list, no paging)',
        tag,
        access: 'read',
        query: accountCsvExportQuerySchema,
        responseContentType: 'text/csv',
      },
      (koa, { query, principal }) => {
        const stamp = new Date(ctx.clock.now()).toISOString().slice(0, 10);
        koa.type = 'text/csv; charset=utf-8';
        koa.set('Content-Disposition', `attachment; filename="accounts-${stamp}.csv"`);
        koa.body = Readable.from(csv.export(query, seesTokens(principal)));
      },
    );
}

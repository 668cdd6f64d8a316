import { z } from 'zod';
import type { ApiRouter } from '../http/api-router';
import { actorOf, type Principal } from '../http/principal';
import { idParamSchema } from '../../src-shared/schemas/common';
import {
  accountBulkSchema,
  accountCreateSchema,
  accountDetailSchema,
  accountListQuerySchema,
  accountSchema,
  accountUpdateSchema,
} from '../../src-shared/schemas/accounts';
import { pageOf } from '../../src-shared/schemas/common';
import type { AccountService } from './account-service';

/** Full tokens go to admins and admin-write keys only; observers see a preview. */
function seesTokens(principal: Principal | null): boolean {
  if (!principal) return false;
  return principal.kind === 'session' ? principal.role === 'admin' : principal.scopes.includes('admin-write');
}

export function registerAccountRoutes(api: ApiRouter, accounts: AccountService): void {
  const tag = 'Accounts';
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/accounts',
        summary: 'List accounts, filtered and paged',
        tag,
        access: 'read',
        query: accountListQuerySchema,
        response: pageOf(accountSchema),
      },
      (_ctx, { query, principal }) => accounts.list(query, seesTokens(principal)),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/accounts',
        summary: 'Create an account',
        tag,
        access: 'write',
        body: accountCreateSchema,
        response: accountDetailSchema,
        status: 201,
      },
      (_ctx, { body, principal }) => accounts.create(body, actorOf(principal)),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/accounts/bulk',
        summary: 'Enable, disable, delete, extend or change packages of many accounts at once',
        tag,
        access: 'write',
        body: accountBulkSchema,
        response: z.object({ affected: z.number().int() }),
      },
      (_ctx, { body, principal }) => accounts.bulk(body, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/accounts/:id',
        summary: 'One account with its devices',
        tag,
        access: 'read',
        params: idParamSchema,
        response: accountDetailSchema,
      },
      (_ctx, { params, principal }) => accounts.get(params.id, seesTokens(principal)),
    )
    .route(
      {
        method: 'patch',
        path: '/api/admin/accounts/:id',
        summary: 'Change an account',
        tag,
        access: 'write',
        params: idParamSchema,
        body: accountUpdateSchema,
        response: accountDetailSchema,
      },
      (_ctx, { params, body, principal }) =>
        accounts.update(
          params.id,
          body,
          actorOf(principal),
          principal?.kind === 'session' && principal.accountId === params.id ? principal.sessionHash : undefined,
        ),
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/accounts/:id',
        summary: 'Delete an account',
        tag,
        access: 'write',
        params: idParamSchema,
        status: 204,
      },
      (_ctx, { params, principal }) => accounts.delete(params.id, actorOf(principal)),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/accounts/:id/token',
        summary: 'Replace the account token with a new random one',
        tag,
        access: 'write',
        params: idParamSchema,
        response: accountDetailSchema,
      },
      (_ctx, { params, principal }) => accounts.regenerateToken(params.id, actorOf(principal)),
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/accounts/:id/devices/:deviceId',
        summary: 'Unbind a device (HWID) from an account',
        tag,
        access: 'write',
        params: z.object({ id: z.coerce.number().int().positive(), deviceId: z.coerce.number().int().positive() }),
        status: 204,
      },
      (_ctx, { params, principal }) => accounts.unbindDevice(params.id, params.deviceId, actorOf(principal)),
    );
}

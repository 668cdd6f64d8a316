import { z } from 'zod';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { idParamSchema } from '../../src-shared/schemas/common';
import { apiKeyCreatedSchema, apiKeyCreateSchema, apiKeySchema } from '../../src-shared/schemas/api-keys';
import type { ApiKeyService } from './api-key-service';

export function registerApiKeyRoutes(api: ApiRouter, keys: ApiKeyService): void {
  const tag = 'API keys';
  api
    .route(
      { method: 'get', path: '/api/admin/api-keys', summary: 'List API keys (never the keys)', tag, access: 'read', response: z.array(apiKeySchema) },
      () => keys.list(),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/api-keys',
        summary: 'Create an API key; the answer is the only time the key is shown',
        tag,
        access: 'write',
        body: apiKeyCreateSchema,
        response: apiKeyCreatedSchema,
        status: 201,
      },
      (_koa, { body, principal }) => keys.create(body, actorOf(principal)),
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/api-keys/:id',
        summary: 'Revoke an API key',
        tag,
        access: 'write',
        params: idParamSchema,
        response: apiKeySchema,
      },
      (_koa, { params, principal }) => keys.revoke(params.id, actorOf(principal)),
    );
}

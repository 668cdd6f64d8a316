import { z } from 'zod';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { slugParamSchema } from '../../src-shared/schemas/common';
import {
  packageCreateSchema,
  packageDeleteQuerySchema,
  packageSchema,
  packageUpdateSchema,
} from '../../src-shared/schemas/packages';
import type { PackageService } from './package-service';

export function registerPackageRoutes(api: ApiRouter, packages: PackageService): void {
  const tag = 'Packages';
  api
    .route(
      { method: 'get', path: '/api/admin/packages', summary: 'List packages', tag, access: 'read', response: z.array(packageSchema) },
      () => packages.list(),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/packages',
        summary: 'Create a package',
        tag,
        access: 'write',
        body: packageCreateSchema,
        response: packageSchema,
        status: 201,
      },
      (_ctx, { body, principal }) => packages.create(body, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/packages/:id',
        summary: 'One package',
        tag,
        access: 'read',
        params: slugParamSchema,
        response: packageSchema,
      },
      (_ctx, { params }) => packages.get(params.id),
    )
    .route(
      {
        method: 'patch',
        path: '/api/admin/packages/:id',
        summary: 'Rename a package or change its channels',
        tag,
        access: 'write',
        params: slugParamSchema,
        body: packageUpdateSchema,
        response: packageSchema,
      },
      (_ctx, { params, body, principal }) => packages.update(params.id, body, actorOf(principal)),
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/packages/:id',
        summary: 'Delete a package (force=true when accounts still hold it)',
        tag,
        access: 'write',
        params: slugParamSchema,
        query: packageDeleteQuerySchema,
        status: 204,
      },
      (_ctx, { params, query, principal }) => packages.delete(params.id, query.force, actorOf(principal)),
    );
}

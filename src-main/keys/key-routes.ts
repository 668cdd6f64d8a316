import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { pageOf } from '../../src-shared/schemas/common';
import {
  packagerChannelParamsSchema,
  channelKeyStatusSchema,
  keyRotateResultSchema,
  keyRotateSchema,
  keyStatusSchema,
  rotationListQuerySchema,
  rotationSchema,
} from '../../src-shared/schemas/keys';
import type { KeyStatusView } from './key-status';
import type { KeyRotation } from './key-rotation';

/** Admin API of content keys: status (never key bytes), manual rotation, rotation history. */
export function registerKeyRoutes(api: ApiRouter, status: KeyStatusView, rotation: KeyRotation): void {
  const tag = 'Keys';
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/keys',
        summary: 'Key status of every channel and package: period length, current period, next rotation, keys held',
        tag,
        access: 'read',
        response: keyStatusSchema,
      },
      () => status.status(),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/keys/channels/:channel',
        summary: 'Key status of one channel',
        tag,
        access: 'read',
        params: packagerChannelParamsSchema,
        response: channelKeyStatusSchema,
      },
      (_koa, { params }) => status.channelStatus(params.channel),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/keys/rotate',
        summary: 'Rotate now: ecm (control words of one channel or all) or emm (package keys of one package or all)',
        tag,
        access: 'write',
        body: keyRotateSchema,
        response: keyRotateResultSchema,
      },
      // `write`: the admin role (or an administrator's admin-write API key); observers get 403.
      (_koa, { body, principal }) => rotation.rotate(body.kind, { channel: body.channel, package: body.package }, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/keys/rotations',
        summary: 'Rotation history, newest first (paged; filter by kind, trigger, channel, package)',
        tag,
        access: 'read',
        query: rotationListQuerySchema,
        response: pageOf(rotationSchema),
      },
      (_koa, { query }) =>
        status.history({ kind: query.kind, trigger: query.trigger, channel: query.channel, package: query.package }, query.page, query.pageSize),
    );
}

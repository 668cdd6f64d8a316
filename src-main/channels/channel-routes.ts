import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { pageOf, slugParamSchema } from '../../src-shared/schemas/common';
import {
  channelCreateSchema,
  channelListQuerySchema,
  channelViewSchema,
  channelUpdateSchema,
} from '../../src-shared/schemas/channels';
import type { ChannelService } from './channel-service';

export function registerChannelRoutes(api: ApiRouter, channels: ChannelService): void {
  const tag = 'Channels';
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/channels',
        summary: 'List channels in number order',
        tag,
        access: 'read',
        query: channelListQuerySchema,
        response: pageOf(channelViewSchema),
      },
      (_ctx, { query }) => channels.list(query),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/channels',
        summary: 'Create a channel',
        tag,
        access: 'write',
        body: channelCreateSchema,
        response: channelViewSchema,
        status: 201,
      },
      (_ctx, { body, principal }) => channels.create(body, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/channels/:id',
        summary: 'One channel',
        tag,
        access: 'read',
        params: slugParamSchema,
        response: channelViewSchema,
      },
      (_ctx, { params }) => channels.get(params.id),
    )
    .route(
      {
        method: 'patch',
        path: '/api/admin/channels/:id',
        summary: 'Change a channel',
        tag,
        access: 'write',
        params: slugParamSchema,
        body: channelUpdateSchema,
        response: channelViewSchema,
      },
      (_ctx, { params, body, principal }) => channels.update(params.id, body, actorOf(principal)),
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/channels/:id',
        summary: 'Delete a channel',
        tag,
        access: 'write',
        params: slugParamSchema,
        status: 204,
      },
      (_ctx, { params, principal }) => channels.delete(params.id, actorOf(principal)),
    );
}

import type { Context } from 'koa';
import { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { slugParamSchema } from '../../src-shared/schemas/common';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../src-shared/errors';
import type { LogoService } from './logo-service';

const logoUploadSchema = z.object({ contentType: z.string(), bytes: z.number().int(), sha256: z.string(), url: z.string() });

/** Reads the raw request body, refusing more than `limit` bytes without buffering them. */
async function readBody(koa: Context, limit: number): Promise<Buffer> {
  const declared = Number(koa.get('content-length') || 0);
  if (declared > limit) throw new PayloadTooLargeError('logo_too_large', { max: limit }, `logo: at most ${limit} bytes`, 'logo');
  const parsed = (koa.request as { rawBody?: string }).rawBody;
  if (typeof parsed === 'string') return Buffer.from(parsed, 'utf8');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of koa.req) {
    total += (chunk as Buffer).length;
    if (total > limit) {
      koa.req.destroy();
      throw new PayloadTooLargeError('logo_too_large', { max: limit }, `logo: at most ${limit} bytes`, 'logo');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Admin listener: upload (raw PNG, JPEG or SVG body) and delete a channel's logo. */
export function registerLogoAdminRoutes(api: ApiRouter, ctx: CasContext, logos: LogoService): void {
  const tag = 'Channels';
  api
    .route(
      {
        method: 'put',
        path: '/api/admin/channels/:id/logo',
        summary: "Upload the channel's logo: the raw PNG, JPEG or SVG bytes as the body (sniffed; SVG sanitized)",
        tag,
        access: 'write',
        params: slugParamSchema,
        response: logoUploadSchema,
      },
      async (koa, { params, principal }) => {
        const body = await readBody(koa, ctx.settings.get().logoMaxBytes);
        if (body.length === 0) throw new ValidationError('logo_empty', {}, 'logo: the request body is empty', 'logo');
        return logos.upload(params.id, body, actorOf(principal));
      },
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/channels/:id/logo',
        summary: "Remove the channel's uploaded logo",
        tag,
        access: 'write',
        params: slugParamSchema,
        status: 204,
      },
      (_koa, { params, principal }) => logos.remove(params.id, actorOf(principal)),
    );
}

/** Client listener: `GET /logos/<channel>` with validators and caching headers. */
export function registerLogoClientRoutes(api: ApiRouter, logos: LogoService): void {
  api.route(
    {
      method: 'get',
      path: '/logos/:id',
      summary: 'A channel logo (PNG, JPEG or sanitized SVG), cacheable',
      tag: 'Devices',
      access: 'public',
      params: slugParamSchema,
      responseContentType: 'image/*',
    },
    (koa, { params }) => {
      const logo = logos.get(params.id);
      if (!logo) throw new NotFoundError('logo_not_found', { channelId: params.id }, `Logo of channel "${params.id}" not found`);
      const etag = `"${logo.sha256.slice(0, 32)}"`;
      koa.set('ETag', etag);
      koa.set('Last-Modified', new Date(Math.floor(logo.updatedAt / 1000) * 1000).toUTCString());
      koa.set('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400');
      koa.set('Vary', 'Accept-Encoding');
      if (logo.contentType === 'image/svg+xml') {
        // Opened directly, an SVG is a document: give it no power even if the sanitizer missed something.
        koa.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox");
      }
      const inm = koa.get('if-none-match');
      if (inm && inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
        koa.status = 304;
        koa.body = '';
        return undefined;
      }
      koa.type = logo.contentType;
      koa.body = logo.data;
      return undefined;
    },
  );
}

import { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { createRateLimit } from '../http/rate-limit';
import { anyOrigin, registerPreflight } from '../http/cors';
import { callerAddress } from '../access/caller-address';
import { ForbiddenError, NotFoundError } from '../../src-shared/errors';
import { slugParamSchema, idParamSchema, pageOf } from '../../src-shared/schemas/common';
import {
  casPublicKeySchema,
  deviceSessionListQuerySchema,
  deviceSessionRevokeSchema,
  deviceSessionSchema,
} from '../../src-shared/schemas/devices';
import {
  DEVICE_AUTH_PATH,
  DEVICE_EMM_PATH,
  DEVICE_STREAM_INFO_PATH,
  deviceAuthRequestSchema,
  deviceAuthResponseSchema,
  streamInfoSchema,
} from '../../src-shared/protocol/device-auth';
import { signedEnvelopeSchema } from '../../src-shared/protocol/device-envelope';
import { registerLogoAdminRoutes, registerLogoClientRoutes } from '../logos/logo-routes';
import { entitled, type ViewerDirectory } from '../access/viewer-directory';
import type { LogoService } from '../logos/logo-service';
import { DeviceAuthService } from './device-auth-service';
import type { DeviceAuthorizer } from './device-authorizer';
import type { DeviceSessions } from './device-sessions';
import type { CasSigningKey } from './ecm-emm/signing-key';
import type { EcmService } from './ecm-emm/ecm-service';
import type { EmmService } from './ecm-emm/emm-service';
import type { StreamInfoService } from './stream-info/stream-info-service';

/** What the device routes use. */
interface DeviceRouteDeps {
  deviceSessions: DeviceSessions;
  deviceAuth: DeviceAuthService;
  deviceAuthorizer: DeviceAuthorizer;
  signingKey: CasSigningKey;
  ecm: EcmService;
  emm: EmmService;
  streamInfo: StreamInfoService;
  logos: LogoService;
  directory: ViewerDirectory;
}

/** Paths a web player on another origin calls (credentials travel as bearer headers, never cookies). */
const CROSS_ORIGIN_PATHS = [
  DEVICE_AUTH_PATH,
  DEVICE_STREAM_INFO_PATH,
  DEVICE_EMM_PATH,
  '/api/v1/client/ecm/:id',
  '/api/v1/client/cas-key',
  '/logos/:id',
];

/** CORS for the device routes: any origin, bearer header and JSON body allowed, preflight answered. */
function allowCrossOrigin(api: ApiRouter): void {
  api.router.use(CROSS_ORIGIN_PATHS, anyOrigin);
  registerPreflight(api, CROSS_ORIGIN_PATHS, { methods: 'GET, POST, OPTIONS', headers: 'Authorization, Content-Type, If-None-Match' });
}

/** Client listener: device sign-in, stream info, EMM, ECM, the CAS public key and logos. */
export function registerDeviceClientRoutes(
  api: ApiRouter,
  ctx: CasContext,
  devices: Omit<DeviceRouteDeps, 'deviceSessions'>,
): void {
  const { deviceAuth, deviceAuthorizer, signingKey, ecm, emm, streamInfo, logos, directory } = devices;
  const tag = 'Devices';
  // Sign-ins per client IP and minute; a changed setting takes effect at once (a new limiter).
  const limiterFor = (max: number) => createRateLimit({ namespace: 'device-auth', durationMs: 60_000, max, id: callerAddress });
  let authLimit = limiterFor(ctx.settings.get().deviceAuthPerMinute);
  ctx.settings.onChange((settings, changed) => {
    if (changed.has('deviceAuthPerMinute')) {
      authLimit.stop();
      authLimit = limiterFor(settings.deviceAuthPerMinute);
    }
  });
  api.router.use(DEVICE_AUTH_PATH, (koa, next): Promise<unknown> => authLimit(koa, next) as Promise<unknown>);
  allowCrossOrigin(api);
  api
    .route(
      {
        method: 'post',
        path: DEVICE_AUTH_PATH,
        summary: 'Device sign-in: account token + HWID with an HMAC-SHA256 signature; answers a session and the stream info',
        tag,
        access: 'public',
        body: deviceAuthRequestSchema,
        response: deviceAuthResponseSchema,
      },
      async (koa, { body }) => {
        const signedIn = await deviceAuth.signIn(body, callerAddress(koa));
        const now = ctx.clock.now();
        const info = streamInfo.forDevice(
          { account: signedIn.viewer, deviceId: signedIn.deviceId, hwid: signedIn.hwid, ip: signedIn.ip },
        );
        koa.set('Cache-Control', 'no-store');
        return {
          ...DeviceAuthService.describe(signedIn, now),
          casPublicKey: signingKey.publicKeyBase64,
          streamInfo: info,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: DEVICE_STREAM_INFO_PATH,
        summary: "The signed-in device's channels: signed stream URLs, key and ECM URLs, logos, watermarks",
        tag,
        access: 'public',
        response: streamInfoSchema,
      },
      async (koa) => {
        const device = await deviceAuthorizer.authorize(koa, 'device-stream-info');
        koa.set('Cache-Control', 'no-store');
        return streamInfo.forDevice(
          { account: device.account, deviceId: device.deviceId, hwid: device.hwid, ip: device.ip },
        );
      },
    )
    .route(
      {
        method: 'get',
        path: DEVICE_EMM_PATH,
        summary: "The device's EMM: its package keys (current and next epoch) sealed to its X25519 key, signed",
        tag,
        access: 'public',
        response: signedEnvelopeSchema,
      },
      async (koa) => {
        const device = await deviceAuthorizer.authorize(koa, 'device-emm');
        koa.set('Cache-Control', 'no-store');
        return emm.emmFor(device);
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/v1/client/ecm/:id',
        summary: "A channel's ECM: control words of the current and next period boxed under its package keys, signed",
        tag,
        access: 'public',
        params: slugParamSchema,
        response: signedEnvelopeSchema,
      },
      async (koa, { params }) => {
        const device = await deviceAuthorizer.authorize(koa, 'device-ecm', params.id);
        const channel = directory.channel(params.id);
        if (!channel) throw new NotFoundError('channel_not_found', { id: params.id }, `Channel "${params.id}" not found`);
        if (!entitled(device.account, channel)) {
          const reason = channel.enabled ? 'not_entitled' : 'channel_disabled';
          throw new ForbiddenError('access_refused', { reason }, 'This account is not entitled to the channel', reason);
        }
        koa.set('Cache-Control', 'no-store');
        return ecm.ecmFor(params.id);
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/v1/client/cas-key',
        summary: 'The CAS ed25519 public key that signs ECMs and EMMs',
        tag,
        access: 'public',
        response: casPublicKeySchema,
      },
      () => ({ publicKey: signingKey.publicKeyBase64, keyId: signingKey.keyId, algorithm: 'ed25519' as const }),
    );
  registerLogoClientRoutes(api, logos);
}

/** Admin listener: device sessions (list, revoke), the CAS public key, channel logo upload. */
export function registerDeviceAdminRoutes(api: ApiRouter, ctx: CasContext, devices: Pick<DeviceRouteDeps, 'deviceSessions' | 'signingKey' | 'logos'>): void {
  const { deviceSessions, signingKey, logos } = devices;
  const tag = 'Devices';
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/device-sessions',
        summary: 'Active device sessions, newest first (filter by account or device)',
        tag,
        access: 'read',
        query: deviceSessionListQuerySchema,
        response: pageOf(deviceSessionSchema),
      },
      (_koa, { query }) => deviceSessions.list({ accountId: query.accountId, deviceId: query.deviceId }, query.page, query.pageSize),
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/device-sessions/:id',
        summary: 'Revoke one device session (its next request is refused)',
        tag,
        access: 'write',
        params: idParamSchema,
        status: 204,
      },
      (_koa, { params, principal }) => deviceSessions.revoke(params.id, actorOf(principal)),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/device-sessions/revoke',
        summary: 'Revoke every session of an account, or of one of its devices',
        tag,
        access: 'write',
        body: deviceSessionRevokeSchema,
        response: z.object({ revoked: z.number().int() }),
      },
      (_koa, { body, principal }) => ({ revoked: deviceSessions.revokeAll(body.accountId, body.deviceId, actorOf(principal)) }),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/cas-signing-key',
        summary: 'The CAS ed25519 public key that signs ECMs and EMMs (for pinning in clients)',
        tag,
        access: 'read',
        response: casPublicKeySchema,
      },
      () => ({ publicKey: signingKey.publicKeyBase64, keyId: signingKey.keyId, algorithm: 'ed25519' as const }),
    );
  registerLogoAdminRoutes(api, ctx, logos);
}

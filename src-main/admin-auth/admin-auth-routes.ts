import type { Middleware } from 'koa';
import { z } from 'zod';
import type { ApiRouter } from '../http/api-router';
import { createRateLimit } from '../http/rate-limit';
import { ForbiddenError } from '../../src-shared/errors';
import {
  loginRequestSchema,
  loginResponseSchema,
  sessionUserSchema,
  setupRequestSchema,
  setupStatusSchema,
} from '../../src-shared/schemas/admin-auth';
import type { AccountService } from '../accounts/account-service';
import { isLoopbackAddress } from '../http/loopback';
import type { AdminSessions } from './admin-sessions';
import { createFirstAdmin } from './first-admin';

export function registerAdminAuthRoutes(api: ApiRouter, sessions: AdminSessions, accounts: AccountService): void {
  const tag = 'Sign-in';
  const loginLimit = createRateLimit({ namespace: 'admin-login', durationMs: 60_000, max: 30 });
  // Only attempts count: reading whether setup is needed is free.
  const limitAttempts: Middleware = async (koa, next) => {
    if (koa.method === 'POST') await loginLimit(koa, next);
    else await next();
  };
  api.router.use('/api/admin/login', limitAttempts);
  api.router.use('/api/admin/setup', limitAttempts);
  api
    .route(
      {
        method: 'post',
        path: '/api/admin/login',
        summary: 'Sign in with username and password; returns a bearer session token',
        tag,
        access: 'public',
        body: loginRequestSchema,
        response: loginResponseSchema,
      },
      (koa, { body }) => sessions.login(body.username, body.password, koa.ip),
    )
    .route(
      { method: 'post', path: '/api/admin/logout', summary: 'End this session', tag, access: 'read', status: 204 },
      (_koa, { principal }) => sessions.logout(principal!),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/me',
        summary: 'Who is signed in',
        tag,
        access: 'read',
        response: sessionUserSchema.extend({ kind: z.enum(['session', 'api-key']) }),
      },
      (_koa, { principal }) =>
        principal!.kind === 'session'
          ? { kind: 'session', id: principal!.accountId, username: principal!.username, role: principal!.role }
          : {
              kind: 'api-key',
              id: principal!.keyId,
              username: principal!.name,
              role: principal!.scopes.includes('admin-write') ? 'admin' : 'observer',
            },
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/setup',
        summary: 'Whether the first administrator still has to be created',
        tag,
        access: 'public',
        response: setupStatusSchema,
      },
      () => ({ needsSetup: !sessions.hasAdmin() }),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/setup',
        summary: 'Create the first administrator (only while none exists, only from this machine)',
        tag,
        access: 'public',
        body: setupRequestSchema,
        response: loginResponseSchema,
        status: 201,
      },
      async (koa, { body }) => {
        if (!isLoopbackAddress(koa.ip)) throw new ForbiddenError('first_admin_local_only', {}, 'The first administrator is created on the CAS machine itself', 'not_local');
        await createFirstAdmin(sessions, accounts, body, 'First administrator');
        return sessions.login(body.username, body.password, koa.ip);
      },
    );
}

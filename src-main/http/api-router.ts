import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../src-shared/errors';
import { issueError } from '../../src-shared/zod-issue-errors';
import type { OpenApiRegistry } from './openapi';
import { allows, type Access, type Principal } from './principal';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Documents the answer in the OpenAPI document. */
  response?: z.ZodType;
  /** Success status; handlers returning undefined answer 204. */
  status?: number;
  responseContentType?: string;
}

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | null;
}

type RouteHandler<P, Q, B> = (ctx: Context, input: RouteInput<P, Q, B>) => unknown;

/** Reads the caller from the request; each listener brings its own. */
type Authenticate = (ctx: Context) => Principal | null | Promise<Principal | null>;

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = issueError(result.error.issues[0], where);
  throw new ValidationError(issue.code, issue.params, `${issue.field ?? where}: ${issue.message}`, issue.field);
}

/**
 * A router whose routes declare their access and their input schemas: input is validated once
 * here, at the edge, and the same declaration feeds the OpenAPI document.
 */
export class ApiRouter {
  readonly router = new Router();

  constructor(
    private readonly listener: string,
    private readonly openapi: OpenApiRegistry,
    private readonly authenticate: Authenticate,
  ) {}

  route<P extends z.ZodType = never, Q extends z.ZodType = never, B extends z.ZodType = never>(
    spec: RouteSpec<P, Q, B>,
    handler: RouteHandler<Parsed<P>, Parsed<Q>, Parsed<B>>,
  ): this {
    this.openapi.add(this.listener, spec);
    this.router[spec.method](spec.path, async (ctx) => {
      const found = spec.access === 'public' ? this.#optionalPrincipal(ctx) : this.authenticate(ctx);
      // Most callers are known without a lookup (viewer routes: none); await only a real lookup.
      const principal = found instanceof Promise ? await found : found;
      if (!allows(principal, spec.access)) {
        if (!principal) throw new UnauthorizedError('sign_in_required', {}, 'Sign-in required');
        if (spec.access === 'write') throw new ForbiddenError('read_only_role', {}, 'Your role may only read', 'role');
        throw new ForbiddenError('credential_not_allowed', {}, 'This credential may not do that', 'role');
      }
      ctx.state.principal = principal;
      const input = {
        params: (spec.params ? parseOrThrow(spec.params, ctx.params, 'path') : undefined) as Parsed<P>,
        query: (spec.query ? parseOrThrow(spec.query, ctx.query, 'query') : undefined) as Parsed<Q>,
        body: (spec.body ? parseOrThrow(spec.body, ctx.request.body ?? {}, 'body') : undefined) as Parsed<B>,
        principal,
      };
      const result = await handler(ctx, input);
      if (result === undefined) {
        if (ctx.body === undefined || ctx.body === null) ctx.status = 204;
        return;
      }
      ctx.status = spec.status ?? 200;
      ctx.body = result;
    });
    return this;
  }

  #optionalPrincipal(ctx: Context): Principal | null | Promise<Principal | null> {
    try {
      const found = this.authenticate(ctx);
      return found instanceof Promise ? found.catch(() => null) : found;
    } catch {
      return null;
    }
  }
}

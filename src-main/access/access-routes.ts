import { z } from 'zod';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import { isoFromMs } from '../kernel/clock';
import { NotFoundError, ValidationError } from '../../src-shared/errors';
import { idParamSchema, pageOf, slugSchema } from '../../src-shared/schemas/common';
import { parseIpAddress } from '../../src-shared/net/ip-ranges';
import {
  accessLogEntrySchema,
  accessLogQuerySchema,
  accountIdParamSchema,
  dashboardSummarySchema,
  explainQuerySchema,
  explanationSchema,
  ipRuleCreateSchema,
  ipRuleListQuerySchema,
  ipRuleSchema,
  sharingFlagQuerySchema,
  sharingFlagSchema,
  suspensionSchema,
} from '../../src-shared/schemas/access';
import {
  accountStatsSchema,
  channelStatsSchema,
  sessionListQuerySchema,
  statsQuerySchema,
  statsRangeSchema,
  viewingSessionSchema,
} from '../../src-shared/schemas/sessions';
import type { AccessService } from './access-service';
import type { IpLists } from './ip-lists';
import type { SharingDetector } from './sharing';
import type { UrlSigner } from './url-signing/url-signer';
import type { ViewerDirectory } from './viewer-directory';
import { listAccessLog } from './access-log';
import { accountStats, channelStats, listSessions, sessionById } from './viewing-stats';
import { dashboardSummary, endSessionByAdmin } from './access-admin-service';
import type { ViewingSessions } from './viewing-sessions';

const DAY_MS = 86_400_000;

function rangeOf(ctx: CasContext, query: { from?: string; to?: string }): { fromMs: number; toMs: number } {
  const toMs = query.to ? Date.parse(query.to) : ctx.clock.now();
  const fromMs = query.from ? Date.parse(query.from) : toMs - DAY_MS;
  if (fromMs >= toMs) throw new ValidationError('from_not_before_to', { field: 'from' }, 'from: must be before to', 'from');
  return { fromMs, toMs };
}

function normalisedIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const address = parseIpAddress(ip);
  if (!address) throw new ValidationError('invalid_ip', { field: 'ip', ip }, `ip: "${ip}" is not an IP address`, 'ip');
  return address.toString();
}

/** The account a filter names: a username (any case) first, else a numeric id; null when neither fits. */
function accountIdOf(directory: ViewerDirectory, usernameOrId: string): number | null {
  const byName = directory.accountByUsername(usernameOrId);
  if (byName) return byName.id;
  return /^[1-9]\d{0,15}$/.test(usernameOrId) ? Number(usernameOrId) : null;
}

/** What the access-control admin API reads and changes. */
interface AccessRouteDeps {
  access: AccessService;
  directory: ViewerDirectory;
  ipLists: IpLists;
  viewingSessions: ViewingSessions;
  sharing: SharingDetector;
  urlSigner: UrlSigner;
}

/** Admin API of access control: IP lists, explanation, access log, dashboard, sharing, suspensions. */
export function registerAccessRoutes(api: ApiRouter, ctx: CasContext, deps: AccessRouteDeps): void {
  const { access, directory, ipLists, viewingSessions, sharing, urlSigner } = deps;
  const tag = 'Access control';
  api
    .route(
      { method: 'get', path: '/api/admin/access/ip-rules', summary: 'IP allow and deny lists', tag, access: 'read', query: ipRuleListQuerySchema, response: z.array(ipRuleSchema) },
      (_koa, { query }) => ipLists.list(query.list),
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/access/ip-rules',
        summary: 'Add an address or network to the allow list (no authorization needed) or the deny list (always refused)',
        tag,
        access: 'write',
        body: ipRuleCreateSchema,
        response: ipRuleSchema,
        status: 201,
      },
      (_koa, { body, principal }) => ipLists.add(body, actorOf(principal)),
    )
    .route(
      { method: 'delete', path: '/api/admin/access/ip-rules/:id', summary: 'Remove an allow or deny list entry', tag, access: 'write', params: idParamSchema, status: 204 },
      (_koa, { params, principal }) => ipLists.remove(params.id, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/access/explain',
        summary: 'Which rule allows or refuses an account on a channel from an address, and why',
        tag,
        access: 'read',
        query: explainQuerySchema,
        response: explanationSchema,
      },
      (_koa, { query }) => {
        normalisedIp(query.ip);
        return access.explain(query.account, query.channel, query.ip);
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/access/stream-url',
        summary: "A channel's stream URL signed for an account and viewer address (as its playlist would carry it)",
        tag,
        access: 'write',
        query: z.object({ channel: slugSchema, account: z.coerce.number().int().positive(), ip: z.string().trim().min(1).max(64) }),
        response: z.object({ url: z.string() }),
      },
      (_koa, { query }) => {
        const ip = normalisedIp(query.ip)!;
        if (!directory.accountById(query.account)) throw new NotFoundError('account_not_found', { id: query.account }, 'Account not found');
        return { url: urlSigner.streamUrl(query.channel, { ip, accountId: query.account }) };
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/access-log',
        summary: 'Access decisions, newest first, filtered by account (username or id), channel, IP, result, reason and time',
        tag,
        access: 'read',
        query: accessLogQuerySchema,
        response: pageOf(accessLogEntrySchema),
      },
      (_koa, { query }) => {
        access.flush();
        const accountId = query.account === undefined ? undefined : accountIdOf(directory, query.account);
        if (accountId === null) return { items: [], total: 0, page: query.page, pageSize: query.pageSize };
        const { items, total } = listAccessLog(
          ctx.db,
          {
            accountId,
            channelId: query.channel,
            ip: normalisedIp(query.ip),
            result: query.result,
            reason: query.reason,
            fromMs: query.from ? Date.parse(query.from) : undefined,
            toMs: query.to ? Date.parse(query.to) : undefined,
          },
          query.page,
          query.pageSize,
        );
        return { items, total, page: query.page, pageSize: query.pageSize };
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/dashboard/summary',
        summary: 'Viewers now, authorizations and refusals per hour over 24 h, top channels',
        tag: 'Dashboard',
        access: 'read',
        response: dashboardSummarySchema,
      },
      () => dashboardSummary(ctx, { access, viewingSessions, directory, sharing }),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/access/sharing-flags',
        summary: 'Accounts flagged for credential sharing, with the evidence (addresses, times, channels)',
        tag,
        access: 'read',
        query: sharingFlagQuerySchema,
        response: pageOf(sharingFlagSchema),
      },
      (_koa, { query }) => sharing.flags({ accountId: query.account, open: query.open }, query.page, query.pageSize),
    )
    .route(
      { method: 'post', path: '/api/admin/access/sharing-flags/:id/resolve', summary: 'Mark a sharing flag as handled', tag, access: 'write', params: idParamSchema, status: 204 },
      (_koa, { params, principal }) => sharing.resolveFlag(params.id, actorOf(principal)),
    )
    .route(
      { method: 'get', path: '/api/admin/access/suspensions', summary: 'Suspended accounts (refused with reason "suspended")', tag, access: 'read', response: z.array(suspensionSchema) },
      () => sharing.suspensions(),
    )
    .route(
      {
        method: 'put',
        path: '/api/admin/access/suspensions/:accountId',
        summary: 'Suspend an account: its viewers are refused and its sessions end',
        tag,
        access: 'write',
        params: accountIdParamSchema,
        body: z.object({ reason: z.string().trim().min(1).max(200).default('operator') }).strict(),
        status: 204,
      },
      (_koa, { params, body, principal }) => {
        sharing.suspend(params.accountId, body.reason, actorOf(principal));
        viewingSessions.endAccount(params.accountId, ctx.clock.now(), 'suspended');
        access.flush();
      },
    )
    .route(
      { method: 'delete', path: '/api/admin/access/suspensions/:accountId', summary: 'Lift a suspension', tag, access: 'write', params: accountIdParamSchema, status: 204 },
      (_koa, { params, principal }) => sharing.lift(params.accountId, actorOf(principal)),
    );
}

/** Admin API of viewing sessions and statistics. */
export function registerSessionRoutes(api: ApiRouter, ctx: CasContext, deps: Pick<AccessRouteDeps, 'access' | 'viewingSessions'>): void {
  const { access, viewingSessions } = deps;
  const tag = 'Sessions';
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/sessions',
        summary: 'Viewing sessions (active by default), filtered by account, channel and IP',
        tag,
        access: 'read',
        query: sessionListQuerySchema,
        response: pageOf(viewingSessionSchema),
      },
      (_koa, { query }) => {
        viewingSessions.sweepIdle(ctx.clock.now(), ctx.settings.get().sessionIdleSeconds * 1000);
        access.flush();
        const { items, total } = listSessions(
          ctx.db,
          { accountId: query.account, channelId: query.channel, ip: normalisedIp(query.ip), state: query.state },
          query.page,
          query.pageSize,
        );
        return { items, total, page: query.page, pageSize: query.pageSize };
      },
    )
    .route(
      { method: 'get', path: '/api/admin/sessions/:id', summary: 'One viewing session', tag, access: 'read', params: idParamSchema, response: viewingSessionSchema },
      (_koa, { params }) => {
        access.flush();
        const session = sessionById(ctx.db, params.id);
        if (!session) throw new NotFoundError('session_not_found', { id: params.id }, 'Session not found');
        return session;
      },
    )
    .route(
      {
        method: 'delete',
        path: '/api/admin/sessions/:id',
        summary: "End a viewing session: its next auth check is refused for endedSessionBanSeconds",
        tag,
        access: 'write',
        params: idParamSchema,
        status: 204,
      },
      (_koa, { params, principal }) => endSessionByAdmin(ctx, { access, viewingSessions }, params.id, actorOf(principal)),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/stats/channels',
        summary: 'Viewing statistics per channel: watch time, sessions, viewers, peak viewers (default: last 24 h)',
        tag: 'Statistics',
        access: 'read',
        query: statsQuerySchema,
        response: pageOf(channelStatsSchema).extend({ range: statsRangeSchema }),
      },
      (_koa, { query }) => {
        access.flush();
        const range = { ...rangeOf(ctx, query), accountId: query.account, channelId: query.channel };
        const { items, total } = channelStats(ctx.db, range, query.page, query.pageSize);
        return { items, total, page: query.page, pageSize: query.pageSize, range: { from: isoFromMs(range.fromMs), to: isoFromMs(range.toMs) } };
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/stats/accounts',
        summary: 'Viewing statistics per account: watch time, sessions, channels, peak simultaneous sessions (default: last 24 h)',
        tag: 'Statistics',
        access: 'read',
        query: statsQuerySchema,
        response: pageOf(accountStatsSchema).extend({ range: statsRangeSchema }),
      },
      (_koa, { query }) => {
        access.flush();
        const range = { ...rangeOf(ctx, query), accountId: query.account, channelId: query.channel };
        const { items, total } = accountStats(ctx.db, range, query.page, query.pageSize);
        return { items, total, page: query.page, pageSize: query.pageSize, range: { from: isoFromMs(range.fromMs), to: isoFromMs(range.toMs) } };
      },
    );
}

import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { auditEntrySchema, auditListQuerySchema } from '../../src-shared/schemas/audit';
import { pageOf } from '../../src-shared/schemas/common';
import { listAudit } from './audit-log';

export function registerAuditRoutes(api: ApiRouter, ctx: CasContext): void {
  api.route(
    {
      method: 'get',
      path: '/api/admin/audit',
      summary: 'Audit log of every admin write, newest first',
      tag: 'Audit',
      access: 'read',
      query: auditListQuerySchema,
      response: pageOf(auditEntrySchema),
    },
    (_koa, { query }) => {
      const { items, total } = listAudit(
        ctx.db,
        {
          action: query.action,
          actor: query.actor,
          targetType: query.targetType,
          targetId: query.targetId,
          fromMs: query.from ? Date.parse(query.from) : undefined,
          toMs: query.to ? Date.parse(query.to) : undefined,
        },
        query.page,
        query.pageSize,
      );
      return { items, total, page: query.page, pageSize: query.pageSize };
    },
  );
}

import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { auditEntrySchema, auditListQuerySchema, auditSubjectsSchema } from '../../src-shared/schemas/audit';
import { idParamSchema, pageOf } from '../../src-shared/schemas/common';
import { NotFoundError } from '../../src-shared/errors';
import { auditSubjects, listAudit } from './audit-log';

export function registerAuditRoutes(api: ApiRouter, ctx: CasContext): void {
  api
    .route(
      {
        method: 'get',
        path: '/api/admin/audit',
        summary: 'Audit log of every admin write, newest first (updates with their field-by-field changes)',
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
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/audit/:id/subjects',
        summary: 'Every username one bulk action or import touched',
        tag: 'Audit',
        access: 'read',
        params: idParamSchema,
        response: auditSubjectsSchema,
      },
      (_koa, { params }) => {
        const subjects = auditSubjects(ctx.db, params.id);
        if (!subjects) throw new NotFoundError('audit_entry_not_found', { id: params.id }, 'Audit entry not found');
        return subjects;
      },
    );
}

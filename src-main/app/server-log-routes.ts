import { closeSync, createReadStream } from 'node:fs';
import { z } from 'zod';
import type { ApiRouter } from '../http/api-router';
import type { CasContext } from '../kernel/context';
import { listLogFiles, logFolderOf, openLogForReading, tailLogFile } from '../kernel/log-files';
import { logFileListSchema, logFileNameSchema, logTailQuerySchema, logTailSchema } from '../../src-shared/schemas/server-log';

const fileParams = z.object({ name: logFileNameSchema });

/**
 * The server's own log files (the data folder's `logs/`), for administrators only: they name
 * viewers, addresses and accounts. Files are reached by name from the listing, never by path.
 */
export function registerServerLogRoutes(api: ApiRouter, ctx: CasContext): void {
  const folder = logFolderOf(ctx.runtime.dataDir);
  api
    .route(
      { method: 'get', path: '/api/admin/server-log/files', summary: 'The server log files (rotated), newest first', tag: 'System', access: 'write', response: logFileListSchema },
      () => ({ files: listLogFiles(folder) }),
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/server-log/tail',
        summary: 'The last lines of a server log file (the newest by default), parsed, optionally from a level up',
        tag: 'System',
        access: 'write',
        query: logTailQuerySchema,
        response: logTailSchema,
      },
      (_koa, { query }) => {
        const file = query.file ?? listLogFiles(folder)[0]?.name ?? null;
        return { file, lines: file ? tailLogFile(folder, file, query.lines, query.level) : [] };
      },
    )
    .route(
      {
        method: 'get',
        path: '/api/admin/server-log/files/:name',
        summary: 'Download one server log file (JSON lines)',
        tag: 'System',
        access: 'write',
        params: fileParams,
        responseContentType: 'application/x-ndjson',
      },
      (koa, { params }) => {
        const { fd, bytes } = openLogForReading(folder, params.name);
        koa.type = 'application/x-ndjson';
        koa.attachment(params.name);
        if (bytes === 0) {
          closeSync(fd);
          koa.body = '';
          return;
        }
        // Up to the size when opened: the current file keeps growing while it is sent.
        koa.body = createReadStream('', { fd, start: 0, end: bytes - 1 });
        koa.length = bytes;
      },
    );
}

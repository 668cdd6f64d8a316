import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { ConflictError } from '../../src-shared/errors';
import { backupInfoSchema, backupListSchema, backupNameSchema } from '../../src-shared/schemas/backups';
import type { ApiRouter } from '../http/api-router';
import { actorOf } from '../http/principal';
import type { CasContext } from '../kernel/context';
import { BackupRejectedError, readBackupFacts } from './backup-file';
import type { BackupService } from './backup-service';

const nameParams = z.object({ name: backupNameSchema });

/**
 * Restarts the CAS onto a backup file: stop the listeners, swap the database (verified first),
 * reopen. Supplied by the composition root; absent where the CAS cannot restart itself.
 */
export type RestartOnto = (file: string) => void;

export function registerBackupRoutes(api: ApiRouter, ctx: CasContext, backups: BackupService, restartOnto: RestartOnto | null): void {
  api
    .route({ method: 'get', path: '/api/admin/backups', summary: 'Backups in the backup folder, newest first, each with the key check value it needs', tag: 'Backups', access: 'read', response: backupListSchema }, () =>
      backups.list(),
    )
    .route(
      { method: 'post', path: '/api/admin/backups', summary: 'Back up the database now (online, verified with integrity_check)', tag: 'Backups', access: 'write', response: backupInfoSchema, status: 201 },
      async (_koa, { principal }) => {
        const made = await backups.create();
        ctx.logger.info({ actor: actorOf(principal).name, backup: made.name }, 'backup made on request');
        return made;
      },
    )
    .route(
      { method: 'get', path: '/api/admin/backups/:name', summary: 'Download a backup (the whole database: keep it safe)', tag: 'Backups', access: 'write', params: nameParams, responseContentType: 'application/vnd.sqlite3' },
      (koa, { params }) => {
        const file = backups.fileOf(params.name);
        koa.type = 'application/vnd.sqlite3';
        koa.attachment(params.name);
        koa.body = createReadStream(file);
      },
    )
    .route(
      {
        method: 'post',
        path: '/api/admin/backups/:name/restore',
        summary: 'Restart the CAS onto a backup (verified first; the current database is kept as cas.db.before-restore-<time>)',
        tag: 'Backups',
        access: 'write',
        params: nameParams,
        status: 202,
      },
      (koa, { params, principal }) => {
        if (!restartOnto) throw new ConflictError('restart_unavailable', {}, 'This CAS cannot restart itself: stop it and run cas-studio restore');
        const file = backups.fileOf(params.name);
        const needs = readBackupFacts(file).keyCheckValue;
        const current = backups.list().keyCheckValue;
        if (needs !== null && needs !== current) {
          throw new BackupRejectedError('backup_needs_other_master_key', { file: params.name }, `it needs the master key with key check value ${needs}, this CAS runs with ${current}`);
        }
        ctx.logger.warn({ actor: actorOf(principal).name, backup: params.name }, 'restarting onto a backup');
        koa.res.once('finish', () => restartOnto(file));
        return { restarting: true, backup: params.name };
      },
    );
}

import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { randomToken, sha256Hex } from '../crypto/tokens';
import { statement } from '../db/statements';
import { NotFoundError } from '../../src-shared/errors';
import { assertChannelsExist } from '../channels/channel-service';
import type { ApiKey, ApiKeyCreated, ApiKeyScope, apiKeyCreateSchema } from '../../src-shared/schemas/api-keys';
import type { Principal } from '../http/principal';

/** Every API key starts with this, so a bearer credential says what it is. */
export const API_KEY_PREFIX = 'cask_';
const TOUCH_INTERVAL_MS = 60_000;

interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string;
  /** JSON array of channel ids, or NULL for every channel. */
  channels: string | null;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

function channelsOf(row: ApiKeyRow): string[] | null {
  return row.channels === null ? null : (JSON.parse(row.channels) as string[]);
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ApiKeyScope[],
    channels: channelsOf(row),
    prefix: row.prefix,
    createdAt: isoFromMs(row.created_at),
    createdBy: row.created_by,
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
  };
}

/** Resolves a presented key to its principal; revoked and unknown keys are null. */
export function authenticateApiKey(ctx: CasContext, key: string): Principal | null {
  const hash = sha256Hex(key);
  const row = statement(ctx.db, 'SELECT * FROM api_keys WHERE key_hash = ?').get(hash) as ApiKeyRow | undefined;
  if (!row || row.revoked_at !== null) return null;
  const now = ctx.clock.now();
  if (row.last_used_at === null || now - row.last_used_at > TOUCH_INTERVAL_MS) {
    statement(ctx.db, 'UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, row.id);
  }
  return { kind: 'api-key', keyId: row.id, name: row.name, scopes: JSON.parse(row.scopes) as ApiKeyScope[], channels: channelsOf(row) };
}

/** API keys for packagers and scripts: shown once at creation, stored as a SHA-256 hash. */
export class ApiKeyService {
  constructor(private readonly ctx: CasContext) {}

  list(): ApiKey[] {
    return (statement(this.ctx.db, 'SELECT * FROM api_keys ORDER BY revoked_at IS NOT NULL, created_at DESC').all() as ApiKeyRow[]).map(
      toApiKey,
    );
  }

  create(input: z.output<typeof apiKeyCreateSchema>, actor: Actor): ApiKeyCreated {
    const { db, clock } = this.ctx;
    const key = `${API_KEY_PREFIX}${randomToken()}`;
    const scopes = [...new Set(input.scopes)];
    const channels = input.channels === null ? null : [...new Set(input.channels)];
    const id = db.transaction(() => {
      if (channels) assertChannelsExist(this.ctx, channels);
      const now = clock.now();
      const result = statement(
        db,
        'INSERT INTO api_keys (name, prefix, key_hash, scopes, channels, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(input.name, key.slice(0, API_KEY_PREFIX.length + 6), sha256Hex(key), JSON.stringify(scopes), channels && JSON.stringify(channels), actor.name, now);
      const newId = Number(result.lastInsertRowid);
      recordAudit(db, now, actor, { action: 'api-key.create', targetType: 'api-key', targetId: newId, summary: { name: input.name, scopes, channels } });
      return newId;
    })();
    const row = statement(db, 'SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow;
    return { ...toApiKey(row), key };
  }

  revoke(id: number, actor: Actor): ApiKey {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = statement(db, 'SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
      if (!row) throw new NotFoundError('api_key_not_found', { id }, 'API key not found');
      if (row.revoked_at !== null) return;
      const now = clock.now();
      statement(db, 'UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(now, id);
      recordAudit(db, now, actor, { action: 'api-key.revoke', targetType: 'api-key', targetId: id, summary: { name: row.name } });
    })();
    return toApiKey(statement(db, 'SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow);
  }
}

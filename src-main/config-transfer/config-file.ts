import { createHash } from 'node:crypto';
import type { ConfigFile } from '../../src-shared/schemas/config-transfer';

/** The associated data the sealed part is sealed with: a sealed part of another format does not open. */
export const SEALED_AAD = 'cas-studio-config:v1';

/** JSON with object keys sorted at every level, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest of a file's clear part, kept in its sealed part: an edit after export is noticed. */
export function clearPartDigest(file: Pick<ConfigFile, 'format' | 'version' | 'exportedAt' | 'exportedBy' | 'packages' | 'channels' | 'accounts' | 'settings' | 'includesSecrets'>): string {
  const { format, version, exportedAt, exportedBy, packages, channels, accounts, settings, includesSecrets } = file;
  return createHash('sha256')
    .update(canonicalJson({ format, version, exportedAt, exportedBy, packages, channels, accounts, settings, includesSecrets }))
    .digest('hex');
}

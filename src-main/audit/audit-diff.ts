import type { AuditChange } from '../../src-shared/schemas/audit';

/** Names that hold a credential whatever the record: `password`, `token`, `securetokenSecret`, … */
const SECRET_NAME = /(password|token|secret)$/i;

/** Bookkeeping every record carries; a change of it alone is no change. */
const ALWAYS_IGNORED = ['createdAt', 'updatedAt'];

interface DiffOptions {
  /** Further fields whose values must never be written (hashes, previews of a secret). */
  secrets?: readonly string[];
  /** Derived fields that change with others (a status, a count). */
  ignore?: readonly string[];
}

/** JSON with object keys in order, so that two equal values compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/**
 * The field-by-field difference between a record before and after an update (any two views of
 * the same thing: an account, a channel, the settings). A secret field that changed is listed as
 * `{ field, secret: true }` without either value; fields that differ only in bookkeeping are left
 * out. Every service audits its updates through this, so a field added later is audited too.
 */
export function fieldChanges(before: object, after: object, options: DiffOptions = {}): AuditChange[] {
  const ignored = new Set([...ALWAYS_IGNORED, ...(options.ignore ?? [])]);
  const secrets = new Set(options.secrets ?? []);
  const old = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((f) => !ignored.has(f));
  const changes: AuditChange[] = [];
  for (const field of fields) {
    if (canonical(old[field]) === canonical(now[field])) continue;
    changes.push(secrets.has(field) || SECRET_NAME.test(field) ? { field, secret: true } : { field, before: old[field] ?? null, after: now[field] ?? null });
  }
  return changes;
}

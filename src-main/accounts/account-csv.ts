import Papa from 'papaparse';
import type { CasContext } from '../kernel/context';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { hashPassword } from '../crypto/passwords';
import { sha256Hex } from '../crypto/tokens';
import { ValidationError, type ErrorCode, type ErrorParams } from '../../src-shared/errors';
import { issueError } from '../../src-shared/zod-issue-errors';
import { accountCreateSchema, accountTokenSchema, usernameSchema, type AccountCreateParsed } from '../../src-shared/schemas/accounts';
import { slugSchema } from '../../src-shared/schemas/common';
import {
  ACCOUNT_CSV_MAX_ROWS,
  accountCsvExportColumns,
  accountCsvExportOnlyColumns,
  accountCsvImportColumns,
  type AccountCsvExportQuery,
  type AccountCsvImportResult,
  type AccountCsvProblem,
  type AccountCsvRowResult,
} from '../../src-shared/schemas/account-csv';
import { accountByTokenHash, accountByUsername, accountRowChunks } from './account-queries';
import { missingPackages } from '../packages/package-queries';
import { accountFilterOf, relationsOf, toAccount, type AccountService } from './account-service';

const knownColumns = new Set<string>([...accountCsvImportColumns, ...accountCsvExportOnlyColumns]);
/** Passwords hashed at once while preparing an import (scrypt runs on libuv's pool of 4). */
const HASH_CONCURRENCY = 4;

type RowErrors = AccountCsvRowResult['errors'];

function problem<C extends ErrorCode>(code: C, params: ErrorParams<C>, message: string): AccountCsvProblem {
  return { code, params, message };
}

function rowError<C extends ErrorCode>(field: string, code: C, params: ErrorParams<C>, message: string): RowErrors[number] {
  return { field, code, params, message };
}

/** Papa's words for a malformed record, as a code. */
function parseProblem(error: Papa.ParseError): AccountCsvProblem {
  if (error.code === 'TooFewFields') return problem('csv_too_few_fields', {}, error.message);
  if (error.code === 'TooManyFields') return problem('csv_too_many_fields', {}, error.message);
  return problem('csv_bad_quotes', {}, error.message);
}

interface PreparedRow {
  result: AccountCsvRowResult;
  account: AccountCreateParsed | null;
}

function listCell(text: string): string[] {
  return text
    .split(/[;|]/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Turns one CSV record (strings) into the JSON the create schema reads; bad cells become errors. */
function recordToInput(record: Record<string, string>, errors: RowErrors): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const cell = (name: string) => (record[name] ?? '').trim();
  input.username = cell('username');
  if (record.password !== undefined && record.password !== '') input.password = record.password;
  if (cell('role')) input.role = cell('role').toLowerCase();
  if (record.packages !== undefined) input.packages = listCell(record.packages);
  if (record.allowedIps !== undefined) input.allowedIps = listCell(record.allowedIps);
  for (const name of ['maxConnections', 'maxDevices'] as const) {
    const text = cell(name);
    if (!text) continue;
    if (!/^-?\d+$/.test(text)) errors.push(rowError(name, 'csv_not_whole_number', { field: name, value: text }, `"${text}" is not a whole number`));
    else input[name] = Number(text);
  }
  const expires = cell('expiresAt');
  if (expires) input.expiresAt = expires;
  if (cell('email')) input.email = cell('email');
  if (record.comment !== undefined) input.comment = record.comment;
  if (cell('token')) input.token = cell('token');
  const enabled = cell('enabled').toLowerCase();
  if (enabled) {
    if (['true', '1', 'yes', 'ja'].includes(enabled)) input.enabled = true;
    else if (['false', '0', 'no', 'nein'].includes(enabled)) input.enabled = false;
    else errors.push(rowError('enabled', 'csv_not_true_or_false', { field: 'enabled', value: enabled }, `"${enabled}" is not true or false`));
  }
  return input;
}

/**
 * Cells a spreadsheet would run as a formula (OWASP "CSV injection") get a leading apostrophe on
 * export, whatever the column. Cells that already start with apostrophes before such a character
 * get one more, so an import can take exactly one away and read back what was exported.
 */
const FORMULA_CELL = /^'*[=+\-@\t\r]/;

function unescapeFormulaCell(cell: string): string {
  return /^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Accounts CSV import and export. An import is checked row by row (shared validation rules,
 * duplicates in the file and in the database, unknown packages) and reported; a commit hashes
 * the passwords first and then writes every account in one transaction, or none.
 */
export class AccountCsv {
  constructor(
    private readonly ctx: CasContext,
    private readonly accounts: AccountService,
  ) {}

  #check(csv: string): { fileErrors: AccountCsvProblem[]; rows: PreparedRow[] } {
    const parsed = Papa.parse<Record<string, string>>(csv.replace(/^\uFEFF/, ''), {
      header: true,
      skipEmptyLines: 'greedy',
      transformHeader: (h) => h.trim(),
      transform: unescapeFormulaCell,
    });
    const fields = parsed.meta.fields ?? [];
    const fileErrors: AccountCsvProblem[] = [];
    const unknown = fields.filter((f) => !knownColumns.has(f));
    if (unknown.length) {
      const [columns, known] = [unknown.join(', '), accountCsvImportColumns.join(', ')];
      fileErrors.push(problem('csv_unknown_columns', { columns, known }, `Unknown column(s): ${columns}. Known: ${known}`));
    }
    if (!fields.includes('username')) fileErrors.push(problem('csv_username_column_missing', {}, 'The header line must name a "username" column'));
    if (parsed.data.length > ACCOUNT_CSV_MAX_ROWS) {
      fileErrors.push(problem('csv_too_many_rows', { max: ACCOUNT_CSV_MAX_ROWS }, `At most ${ACCOUNT_CSV_MAX_ROWS} rows per import`));
    }
    if (fileErrors.length) return { fileErrors, rows: [] };

    const rowErrors = new Map<number, AccountCsvProblem[]>();
    for (const error of parsed.errors) {
      if (error.row === undefined) continue;
      rowErrors.set(error.row, [...(rowErrors.get(error.row) ?? []), parseProblem(error)]);
    }
    const seenUsernames = new Map<string, number>();
    const seenTokens = new Map<string, number>();
    const rows: PreparedRow[] = [];
    parsed.data.forEach((record, index) => {
      // Papa reports data rows from 0; the header is line 1. (Quoted newlines are rare in account files.)
      const line = index + 2;
      const errors: RowErrors = [...(rowErrors.get(index) ?? [])];
      const input = recordToInput(record, errors);
      const result = accountCreateSchema.safeParse(input);
      if (!result.success) {
        for (const issue of result.error.issues) {
          const { code, params, message } = issueError(issue, 'row');
          errors.push({ ...(issue.path.length ? { field: String(issue.path[0]) } : {}), code, params, message });
        }
      }
      // Checks against the file and the database run even when other cells are wrong, so one
      // preview names every problem of the row.
      const username = usernameSchema.safeParse(input.username);
      if (username.success) {
        const key = username.data.toLowerCase();
        const earlier = seenUsernames.get(key);
        if (earlier !== undefined) errors.push(rowError('username', 'csv_username_repeated', { line: earlier }, `Same username as line ${earlier}`));
        else if (accountByUsername(this.ctx.db, username.data)) {
          errors.push(rowError('username', 'username_taken', { username: username.data }, `Username "${username.data}" is taken`));
        }
        seenUsernames.set(key, earlier ?? line);
      }
      const token = accountTokenSchema.safeParse(input.token);
      if (token.success) {
        const hash = sha256Hex(token.data);
        const earlierToken = seenTokens.get(hash);
        if (earlierToken !== undefined) errors.push(rowError('token', 'csv_token_repeated', { line: earlierToken }, `Same token as line ${earlierToken}`));
        else if (accountByTokenHash(this.ctx.db, hash)) errors.push(rowError('token', 'token_taken', {}, 'Another account already uses this token'));
        seenTokens.set(hash, earlierToken ?? line);
      }
      const packages = Array.isArray(input.packages) ? (input.packages as string[]).filter((p) => slugSchema.safeParse(p).success) : [];
      const missing = missingPackages(this.ctx.db, packages);
      if (missing.length) errors.push(rowError('packages', 'unknown_package', { id: missing[0] }, `Unknown package "${missing[0]}"`));
      const account: AccountCreateParsed | null = result.success ? result.data : null;
      const ok = errors.length === 0;
      rows.push({ result: { line, username: typeof input.username === 'string' ? input.username : '', ok, errors }, account: ok ? account : null });
    });
    return { fileErrors, rows };
  }

  async import(
    options: { csv: string; dryRun: boolean; skipInvalid: boolean },
    actor: Actor,
  ): Promise<AccountCsvImportResult> {
    const { fileErrors, rows } = this.#check(options.csv);
    const valid = rows.filter((r) => r.account !== null);
    const result: AccountCsvImportResult = {
      dryRun: options.dryRun,
      total: rows.length,
      valid: valid.length,
      invalid: rows.length - valid.length,
      created: 0,
      fileErrors,
      rows: rows.map((r) => r.result),
    };
    if (options.dryRun) return result;
    if (fileErrors.length) {
      const [first] = fileErrors;
      throw new ValidationError(first.code as ErrorCode, first.params, `csv: ${first.message}`, 'csv');
    }
    if (result.invalid > 0 && !options.skipInvalid) {
      const first = rows.find((r) => !r.result.ok)!.result;
      throw new ValidationError(
        'csv_rows_invalid',
        { count: result.invalid, line: first.line },
        `csv: ${result.invalid} row(s) have errors (first: line ${first.line}, ${first.errors[0]?.message ?? 'invalid'}); nothing was imported`,
        'csv',
      );
    }
    if (valid.length === 0) throw new ValidationError('csv_no_valid_rows', {}, 'csv: No valid rows to import', 'csv');

    // scrypt is slow and asynchronous: every password is hashed before the (synchronous) transaction.
    const hashes = await mapLimited(valid, HASH_CONCURRENCY, (r) =>
      r.account!.password ? hashPassword(r.account!.password) : Promise.resolve(null),
    );
    const { db, clock } = this.ctx;
    const ids = db.transaction(() => {
      const created = valid.map((r, i) => this.accounts.insertPrepared(r.account!, hashes[i], actor, { audit: false }));
      // One entry for the whole import, naming every account it created.
      recordAudit(db, clock.now(), actor, {
        action: 'account.import',
        targetType: 'account',
        targetId: null,
        summary: { created: created.length, skipped: result.invalid },
        subjects: valid.map((r) => r.account!.username),
      });
      return created;
    })();
    this.ctx.events.emit('accounts-changed', ids);
    return { ...result, created: ids.length };
  }

  /** The filtered list as CSV text, a chunk at a time; tokens only for callers that may see them. */
  *export(query: AccountCsvExportQuery & { expiresWithinDays?: number }, withTokens: boolean): Generator<string> {
    const filter = accountFilterOf(this.ctx, query);
    const fields = [...accountCsvExportColumns];
    yield `\uFEFF${Papa.unparse({ fields, data: [] }, { newline: '\r\n' })}\r\n`;
    for (const chunk of accountRowChunks(this.ctx.db, filter, this.ctx.clock.now())) {
      const { packages, deviceCounts } = relationsOf(
        this.ctx,
        chunk.map((r) => r.id),
      );
      const data = chunk.map((row) => {
        const account = toAccount(this.ctx, row, packages.get(row.id) ?? [], deviceCounts.get(row.id) ?? 0, withTokens);
        return [
          account.id,
          account.username,
          account.role,
          account.status,
          account.enabled,
          account.packages.join(';'),
          account.maxConnections,
          account.maxDevices,
          account.expiresAt ?? '',
          account.allowedIps.join(';'),
          account.email ?? '',
          account.comment,
          account.token ?? '',
          account.deviceCount,
          account.createdAt,
          account.updatedAt,
        ];
      });
      yield `${Papa.unparse({ fields, data }, { header: false, newline: '\r\n', escapeFormulae: FORMULA_CELL })}\r\n`;
    }
  }
}

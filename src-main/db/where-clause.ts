import type { Db } from './connection';
import { statement } from './statements';

/**
 * Builds the WHERE clause of a filtered list from optional filters: a filter whose value is
 * undefined adds nothing, so every list query has one shape per combination of filters.
 */
export class WhereClause {
  readonly #clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `clause` (with one `?`) when `value` is given. */
  when(clause: string, value: unknown): this {
    if (value !== undefined && value !== null && value !== '') {
      this.#clauses.push(clause);
      this.params.push(value);
    }
    return this;
  }

  /** Adds a clause with its own parameters, always. */
  always(clause: string, ...params: unknown[]): this {
    this.#clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  get sql(): string {
    return this.#clauses.length ? `WHERE ${this.#clauses.join(' AND ')}` : '';
  }
}

/** One page of `table` rows matching `where`, in `orderBy` order, with the total match count. */
export function pageOfRows<Row>(
  db: Db,
  table: string,
  where: WhereClause,
  orderBy: string,
  page: number,
  pageSize: number,
): { rows: Row[]; total: number } {
  const total = (statement(db, `SELECT count(*) AS n FROM ${table} ${where.sql}`).get(...where.params) as { n: number }).n;
  const rows = statement(db, `SELECT * FROM ${table} ${where.sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`).all(
    ...where.params,
    pageSize,
    (page - 1) * pageSize,
  ) as Row[];
  return { rows, total };
}

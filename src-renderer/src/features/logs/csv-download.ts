import Papa from 'papaparse';
import type { Page } from '../../../../src-shared/schemas/common';
import { api, saveBlob } from '../../shared/api/client';

/** Most rows one log download collects (500 a request). */
export const LOG_DOWNLOAD_MAX_ROWS = 50_000;

/**
 * Collects every page of a filtered log list from the admin API and saves it as CSV. Bounded:
 * stops at LOG_DOWNLOAD_MAX_ROWS and says so by returning `truncated`.
 */
export async function downloadListAsCsv<T>(
  path: string,
  query: Record<string, string | number | undefined>,
  toRow: (item: T) => Record<string, unknown>,
  filename: string,
): Promise<{ rows: number; truncated: boolean }> {
  const rows: Record<string, unknown>[] = [];
  let total = 0;
  for (let page = 1; rows.length < LOG_DOWNLOAD_MAX_ROWS; page++) {
    const answer = await api.get<Page<T>>(path, { ...query, page, pageSize: 500 });
    total = answer.total;
    rows.push(...answer.items.map(toRow));
    if (answer.items.length < 500 || rows.length >= total) break;
  }
  const csv = Papa.unparse(rows, { newline: '\r\n', escapeFormulae: true });
  saveBlob(new Blob([`\uFEFF${csv}\r\n`], { type: 'text/csv;charset=utf-8' }), filename);
  return { rows: rows.length, truncated: rows.length < total };
}

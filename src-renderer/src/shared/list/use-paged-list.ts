import { useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router';
import { keepPreviousData, useQuery, type QueryKey } from '@tanstack/react-query';
import type { TablePaginationConfig } from 'antd';
import type { Page } from '../../../../src-shared/schemas/common';
import { api, type Query } from '../api/client';

const DEFAULT_PAGE_SIZE = 50;
/** Lists longer than this many pages get a go-to-page box. */
const JUMPER_FROM_PAGES = 5;
/** How often an open list asks again, for changes by other operators or through the API. */
const DEFAULT_REFETCH_MS = 30_000;

/** What a paged list asks the server for: the filters (as query parameters), a page and its size. */
interface ListState<F extends Query> {
  filters: F;
  page: number;
  pageSize: number;
}

/** A URL value read back with the type of the filter's default (URLs carry only text). */
function fromUrl(text: string, fallback: Query[string]): Query[string] {
  if (typeof fallback === 'number') return Number.isFinite(Number(text)) ? Number(text) : fallback;
  if (typeof fallback === 'boolean') return text === 'true';
  return text;
}

function positiveInt(text: string | null, fallback: number): number {
  const value = Number(text);
  return text !== null && Number.isInteger(value) && value >= 1 ? value : fallback;
}

/** The list's state as the URL holds it; a parameter left out means its default. */
export function readListState<F extends Query>(params: URLSearchParams, defaults: F, pageSize: number, prefix = ''): ListState<F> {
  const filters = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof F & string>) {
    const text = params.get(prefix + key);
    if (text !== null && text !== '') filters[key] = fromUrl(text, defaults[key]) as F[typeof key];
  }
  return { filters, page: positiveInt(params.get(`${prefix}page`), 1), pageSize: positiveInt(params.get(`${prefix}pageSize`), pageSize) };
}

/** `params` with the list's state written in (defaults left out, other parameters kept). */
export function writeListState<F extends Query>(params: URLSearchParams, state: ListState<F>, defaults: F, pageSize: number, prefix = ''): URLSearchParams {
  const next = new URLSearchParams(params);
  const put = (key: string, value: Query[string], fallback: Query[string]) => {
    if (value === undefined || value === null || value === '' || value === fallback) next.delete(prefix + key);
    else next.set(prefix + key, String(value));
  };
  for (const key of Object.keys(defaults)) put(key, state.filters[key], defaults[key]);
  put('page', state.page, 1);
  put('pageSize', state.pageSize, pageSize);
  return next;
}

/**
 * The one way the dashboard shows a server-side paged list (accounts, channels, sessions, logs,
 * key rotations): filters, sort, page and page size live in the URL (so reload, back and a
 * shared link keep them), a filter change goes back to page 1, the previous page stays on screen
 * while the next loads (no flicker), the list asks again every `refetchInterval` and on window
 * focus, and `pagination` is ready for an antd Table (with a go-to-page box on long lists).
 *
 * `filters` names every filter the list knows with its default (undefined for none): exactly
 * these keys are read from and written to the URL. A second list on the same page gives its
 * parameters a `urlPrefix`.
 */
export function usePagedList<T, F extends Query = Query>(options: {
  queryKey: QueryKey;
  path: string;
  filters: F;
  pageSize?: number;
  refetchInterval?: number;
  urlPrefix?: string;
}) {
  const { filters: defaults, urlPrefix = '' } = options;
  const defaultSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const [params, setParams] = useSearchParams();
  // The URL as last rendered: a late callback (a debounced text filter) must not write an older URL back.
  const latest = useRef(params);
  latest.current = params;
  const search = params.toString();
  // Rebuilt only when the URL changes, so `filters` is stable for effects between renders.
  const state = useMemo(() => readListState(params, defaults, defaultSize, urlPrefix), [search, defaultSize, urlPrefix]);
  const { filters, page, pageSize } = state;
  const setState = (update: (current: ListState<F>) => ListState<F>) =>
    setParams(() => {
      const current = latest.current;
      return writeListState(current, update(readListState(current, defaults, defaultSize, urlPrefix)), defaults, defaultSize, urlPrefix);
    });

  const query = useQuery({
    queryKey: [...options.queryKey, filters, page, pageSize],
    queryFn: () => api.get<Page<T>>(options.path, { ...filters, page, pageSize }),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval ?? DEFAULT_REFETCH_MS,
  });
  const total = query.data?.total ?? 0;
  const pagination: TablePaginationConfig = {
    current: page,
    pageSize,
    total,
    showQuickJumper: total > pageSize * JUMPER_FROM_PAGES,
    onChange: (next, size) => setState((s) => ({ ...s, page: size !== s.pageSize ? 1 : next, pageSize: size })),
  };
  return {
    filters,
    /** Changes some filters and goes back to page 1. */
    setFilters: (patch: Partial<F>) => setState((s) => ({ ...s, filters: { ...s.filters, ...patch }, page: 1 })),
    query,
    items: query.data?.items ?? [],
    pagination,
    /** Asks the server again now (the refresh control). */
    refresh: () => void query.refetch(),
  };
}

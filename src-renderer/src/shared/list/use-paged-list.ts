import { useState } from 'react';
import { keepPreviousData, useQuery, type QueryKey } from '@tanstack/react-query';
import type { TablePaginationConfig } from 'antd';
import type { Page } from '../../../../src-shared/schemas/common';
import { api, type Query } from '../api/client';

const DEFAULT_PAGE_SIZE = 50;

/** What a paged list asks the server for: the filters (as query parameters), a page and its size. */
interface ListState<F extends Query> {
  filters: F;
  page: number;
  pageSize: number;
}

/** The next state when filters change: a new question starts again at page 1. */
function withFilters<F extends Query>(state: ListState<F>, patch: Partial<F>): ListState<F> {
  return { ...state, filters: { ...state.filters, ...patch }, page: 1 };
}

/**
 * The one way the dashboard shows a server-side paged list (accounts, sessions, logs, key
 * rotations): filters, page and page size in one state, a filter change back to page 1, the
 * previous page kept on screen while the next loads (no flicker), and `pagination` ready for an
 * antd Table.
 */
export function usePagedList<T, F extends Query = Query>(options: {
  queryKey: QueryKey;
  path: string;
  filters: F;
  pageSize?: number;
  refetchInterval?: number;
}) {
  const [state, setState] = useState<ListState<F>>({ filters: options.filters, page: 1, pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE });
  const { filters, page, pageSize } = state;
  const query = useQuery({
    queryKey: [...options.queryKey, filters, page, pageSize],
    queryFn: () => api.get<Page<T>>(options.path, { ...filters, page, pageSize }),
    placeholderData: keepPreviousData,
    refetchInterval: options.refetchInterval,
  });
  const pagination: TablePaginationConfig = {
    current: page,
    pageSize,
    total: query.data?.total ?? 0,
    onChange: (next, size) => setState((s) => ({ ...s, page: next, pageSize: size })),
  };
  return {
    filters,
    /** Changes some filters and goes back to page 1. */
    setFilters: (patch: Partial<F>) => setState((s) => withFilters(s, patch)),
    query,
    items: query.data?.items ?? [],
    pagination,
  };
}

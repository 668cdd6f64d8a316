import { useState } from 'react';
import { App, Button } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { useErrorToast } from './feedback';
import { downloadListAsCsv } from './csv-download';

/** Filters and paging of a server-side list: changing a filter goes back to page 1. */
export function useListFilters<F extends object>(initial: F) {
  const [filters, setFilters] = useState<F>(initial);
  const [paging, setPaging] = useState({ page: 1, pageSize: 50 });
  const set = (patch: Partial<F>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPaging((p) => ({ ...p, page: 1 }));
  };
  return { filters, set, paging, setPaging };
}

/** Downloads the filtered list as `<name>-<date>.csv`; says so when the download was cut short. */
export function CsvDownloadButton<T>(props: {
  path: string;
  query: Record<string, string | number | undefined>;
  toRow: (item: T) => Record<string, unknown>;
  name: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const download = async () => {
    try {
      const result = await downloadListAsCsv<T>(props.path, props.query, props.toRow, `${props.name}-${dayjs().format('YYYY-MM-DD')}.csv`);
      if (result.truncated) void message.warning(t('logs.truncated', { count: result.rows }));
    } catch (error) {
      toast(error);
    }
  };
  return (
    <Button icon={<DownloadOutlined />} onClick={() => void download()}>
      {t('logs.downloadCsv')}
    </Button>
  );
}

import { App, Button } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { useErrorToast } from '../../shared/components/feedback';
import { downloadListAsCsv } from './csv-download';

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

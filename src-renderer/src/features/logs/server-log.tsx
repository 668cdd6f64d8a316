import { useState } from 'react';
import { Alert, Button, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { logLevelNames, type LogFileList, type LogLevelName, type LogLine, type LogTail } from '../../../../src-shared/schemas/server-log';
import { api, saveBlob } from '../../shared/api/client';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';

const LEVEL_COLORS: Record<LogLevelName, string> = { trace: 'default', debug: 'default', info: 'blue', warn: 'orange', error: 'red', fatal: 'magenta' };

/** The server's own log (the data folder's rotated files): the last lines, by level, and each file to download. Admins only. */
export function ServerLog() {
  const { t } = useTranslation();
  const toast = useErrorToast();
  const [file, setFile] = useState<string | undefined>();
  const [level, setLevel] = useState<LogLevelName | undefined>();
  const [lines, setLines] = useState(200);
  const files = useQuery({ queryKey: ['server-log', 'files'], queryFn: () => api.get<LogFileList>('/api/admin/server-log/files') });
  const tail = useQuery({
    queryKey: ['server-log', 'tail', file, level, lines],
    queryFn: () => api.get<LogTail>('/api/admin/server-log/tail', { file, level, lines }),
    refetchInterval: 10_000,
  });
  const shown = file ?? tail.data?.file ?? undefined;
  const download = async () => {
    if (!shown) return;
    try {
      saveBlob(await api.download(`/api/admin/server-log/files/${encodeURIComponent(shown)}`), shown);
    } catch (error) {
      toast(error);
    }
  };
  const refresh = () => void Promise.all([files.refetch(), tail.refetch()]);

  return (
    <>
      <Space wrap className="filter-bar">
        <Select
          aria-label={t('operatorLogs.file')}
          data-testid="server-log-file"
          style={{ width: 300 }}
          value={shown}
          placeholder={t('operatorLogs.file')}
          onChange={setFile}
          options={(files.data?.files ?? []).map((f) => ({
            value: f.name,
            label: `${f.name} · ${(f.bytes / 1024).toFixed(0)} KB · ${dayjs(f.modifiedAt).format('L LT')}`,
          }))}
        />
        <Select
          allowClear
          aria-label={t('operatorLogs.level')}
          data-testid="server-log-level"
          placeholder={t('operatorLogs.level')}
          style={{ width: 170 }}
          value={level}
          onChange={setLevel}
          options={logLevelNames.map((l) => ({ value: l, label: t(`operatorLogs.levels.${l}`) }))}
        />
        <Select
          aria-label={t('operatorLogs.lines')}
          style={{ width: 130 }}
          value={lines}
          onChange={setLines}
          options={[100, 200, 500, 1000].map((n) => ({ value: n, label: `${n} ${t('operatorLogs.lines')}` }))}
        />
        <Button icon={<ReloadOutlined />} onClick={refresh}>
          {t('operatorLogs.refresh')}
        </Button>
        <Button icon={<DownloadOutlined />} disabled={!shown} onClick={() => void download()} data-testid="server-log-download">
          {t('operatorLogs.download')}
        </Button>
      </Space>
      {files.isError && <ErrorAlert error={files.error} onRetry={refresh} />}
      {tail.isError && <ErrorAlert error={tail.error} onRetry={refresh} />}
      {files.data && files.data.files.length === 0 && <Alert type="info" showIcon title={t('operatorLogs.noFiles')} />}
      <Table<LogLine>
        rowKey={(_, i) => String(i)}
        size="small"
        data-testid="server-log-table"
        dataSource={[...(tail.data?.lines ?? [])].reverse()}
        loading={tail.isPending}
        pagination={{ pageSize: 50, showSizeChanger: false }}
        columns={[
          { title: t('common.time'), dataIndex: 'time', width: 170, render: (at: string | null) => (at ? dayjs(at).format('L LTS') : '—') },
          {
            title: t('operatorLogs.level'),
            dataIndex: 'level',
            width: 130,
            render: (l: LogLevelName | null) => (l ? <Tag color={LEVEL_COLORS[l]}>{t(`operatorLogs.levels.${l}`)}</Tag> : '—'),
          },
          { title: t('operatorLogs.message'), dataIndex: 'msg', width: 260 },
          {
            title: t('operatorLogs.fieldsTitle'),
            dataIndex: 'fields',
            render: (fields: Record<string, unknown>) =>
              Object.keys(fields).length > 0 && (
                <Typography.Text type="secondary" code ellipsis={{ tooltip: JSON.stringify(fields, null, 2) }} style={{ maxWidth: 560 }}>
                  {JSON.stringify(fields)}
                </Typography.Text>
              ),
          },
        ]}
      />
    </>
  );
}

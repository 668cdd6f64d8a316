import { DatePicker, Input, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { refusalReasonValues, type AccessLogEntry } from '../../../../src-shared/schemas/access';
import { ErrorAlert } from '../../shared/components/feedback';
import { CsvDownloadButton } from './csv-download-button';
import { useChannels } from '../channels/channel-queries';
import { usePagedList } from '../../shared/list/use-paged-list';
import { RefreshButton } from '../../shared/list/refresh-button';

type AccessLogFilters = { channel?: string; ip?: string; result?: 'allow' | 'deny'; reason?: string; account?: string; from?: string; to?: string };

const ACCESS_LOG_FILTERS: AccessLogFilters = { channel: undefined, ip: undefined, result: undefined, reason: undefined, account: undefined, from: undefined, to: undefined };

/** Access decisions (allow / deny with reason), filtered and paged, downloadable as CSV. */
export function AccessLog() {
  const { t } = useTranslation();
  const channels = useChannels();
  const list = usePagedList<AccessLogEntry, AccessLogFilters>({ queryKey: ['access-log'], path: '/api/admin/access-log', filters: ACCESS_LOG_FILTERS, refetchInterval: 10_000 });
  const { filters, setFilters: set } = list;

  return (
    <>
      <Space wrap className="filter-bar">
        <Select allowClear placeholder={t('logs.result')} style={{ width: 120 }} value={filters.result} onChange={(v) => set({ result: v })} options={[{ value: 'allow', label: t('logs.allow') }, { value: 'deny', label: t('logs.deny') }]} />
        <Select allowClear placeholder={t('logs.reason')} style={{ width: 320 }} value={filters.reason} onChange={(v) => set({ reason: v })} options={refusalReasonValues.map((r) => ({ value: r, label: t(`reasons.${r}`) }))} />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('logs.channel')}
          style={{ width: 170 }}
          value={filters.channel}
          onChange={(v) => set({ channel: v })}
          options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
        />
        <Input allowClear placeholder="IP" aria-label="IP" style={{ width: 150 }} defaultValue={filters.ip} onChange={(e) => set({ ip: e.target.value.trim() || undefined })} />
        <Input.Search
          allowClear
          placeholder={t('finding.accountFilter')}
          aria-label={t('finding.accountFilter')}
          style={{ width: 220 }}
          defaultValue={filters.account}
          onSearch={(value) => set({ account: value.trim() || undefined })}
          data-testid="access-log-account"
        />
        <DatePicker.RangePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          defaultValue={filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : undefined}
          onChange={(range) => set({ from: range?.[0]?.toISOString(), to: range?.[1]?.toISOString() })} />
        <CsvDownloadButton<AccessLogEntry>
          path="/api/admin/access-log"
          query={filters}
          toRow={(e) => ({ at: e.at, result: e.result, reason: e.reason ?? '', rule: e.rule ?? '', account: e.username ?? '', channel: e.channelId ?? '', ip: e.ip, source: e.source, session: e.sessionId ?? '', count: e.count })}
          name="access"
        />
        <RefreshButton onRefresh={list.refresh} fetching={list.query.isFetching} />
      </Space>
      {list.query.isError && <ErrorAlert error={list.query.error} onRetry={() => void list.query.refetch()} />}
      <Table<AccessLogEntry>
        rowKey="id"
        size="small"
        dataSource={list.items}
        loading={list.query.isPending}
        data-testid="access-log-table"
        pagination={{ ...list.pagination, showSizeChanger: true, showTotal: (n) => t('common.total', { count: n }) }}
        columns={[
          { title: t('common.time'), dataIndex: 'at', width: 170, render: (at: string) => dayjs(at).format('L LTS') },
          {
            title: t('logs.result'),
            dataIndex: 'result',
            width: 90,
            render: (r: 'allow' | 'deny') => <Tag color={r === 'allow' ? 'green' : 'red'}>{t(`logs.${r}`)}</Tag>,
          },
          { title: t('logs.reason'), key: 'why', render: (_, e) => (e.reason ? t(`reasons.${e.reason}` as 'reasons.expired', { defaultValue: e.reason }) : (e.rule ?? '')) },
          { title: t('logs.account'), dataIndex: 'username', render: (u: string | null) => u ?? '—' },
          { title: t('logs.channel'), dataIndex: 'channelId', render: (c: string | null) => c ?? '—' },
          { title: 'IP', dataIndex: 'ip' },
          { title: t('logs.source'), dataIndex: 'source' },
          { title: t('logs.count'), dataIndex: 'count', width: 80, align: 'right' },
        ]}
      />
    </>
  );
}

import { DatePicker, Input, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { refusalReasonValues, type AccessLogEntry } from '../../../src-shared/schemas/access';
import { ErrorAlert } from '../components/feedback';
import { CsvDownloadButton, useListFilters } from '../components/log-list';
import { useChannels, usePagedList } from '../api/queries';

/** Access decisions (allow / deny with reason), filtered and paged, downloadable as CSV. */
export function AccessLog() {
  const { t } = useTranslation();
  const channels = useChannels();
  const { filters, set, paging, setPaging } = useListFilters<{
    channel?: string;
    ip?: string;
    result?: 'allow' | 'deny';
    reason?: string;
    account?: string;
    range?: [Dayjs | null, Dayjs | null] | null;
  }>({});
  const query = {
    channel: filters.channel,
    ip: filters.ip || undefined,
    result: filters.result,
    reason: filters.reason,
    account: filters.account && /^\d+$/.test(filters.account) ? filters.account : undefined,
    from: filters.range?.[0]?.toISOString(),
    to: filters.range?.[1]?.toISOString(),
  };
  const list = usePagedList<AccessLogEntry>(['access-log'], '/api/admin/access-log', { ...query, ...paging }, 10_000);

  return (
    <>
      <Space wrap className="filter-bar">
        <Select allowClear placeholder={t('logs.result')} style={{ width: 120 }} value={filters.result} onChange={(v) => set({ result: v })} options={[{ value: 'allow', label: t('logs.allow') }, { value: 'deny', label: t('logs.deny') }]} />
        <Select allowClear placeholder={t('logs.reason')} style={{ width: 170 }} value={filters.reason} onChange={(v) => set({ reason: v })} options={refusalReasonValues.map((r) => ({ value: r, label: t(`reasons.${r}`) }))} />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('logs.channel')}
          style={{ width: 170 }}
          value={filters.channel}
          onChange={(v) => set({ channel: v })}
          options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
        />
        <Input allowClear placeholder="IP" aria-label="IP" style={{ width: 150 }} onChange={(e) => set({ ip: e.target.value.trim() })} />
        <Input allowClear placeholder={t('logs.accountId')} aria-label={t('logs.accountId')} style={{ width: 120 }} onChange={(e) => set({ account: e.target.value.trim() })} />
        <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" onChange={(range) => set({ range })} />
        <CsvDownloadButton<AccessLogEntry>
          path="/api/admin/access-log"
          query={query}
          toRow={(e) => ({ at: e.at, result: e.result, reason: e.reason ?? '', rule: e.rule ?? '', account: e.username ?? '', channel: e.channelId ?? '', ip: e.ip, source: e.source, session: e.sessionId ?? '', count: e.count })}
          name="access"
        />
      </Space>
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      <Table<AccessLogEntry>
        rowKey="id"
        size="small"
        dataSource={list.data?.items ?? []}
        loading={list.isPending}
        data-testid="access-log-table"
        onChange={(p) => setPaging({ page: p.current ?? 1, pageSize: p.pageSize ?? 50 })}
        pagination={{ current: paging.page, pageSize: paging.pageSize, total: list.data?.total ?? 0, showSizeChanger: true, showTotal: (n) => t('common.total', { count: n }) }}
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

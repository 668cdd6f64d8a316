import { DatePicker, Input, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import type { AuditEntry } from '../../../src-shared/schemas/audit';
import { queryKeys, usePagedList } from '../api/queries';
import { ErrorAlert } from '../components/feedback';
import { CsvDownloadButton, useListFilters } from '../components/log-list';

/** The audit log: every admin write with who, what and target; filtered, paged, downloadable. */
export function AuditLog() {
  const { t } = useTranslation();
  const { filters, set, paging, setPaging } = useListFilters<{
    action?: string;
    actor?: string;
    targetType?: string;
    range?: [Dayjs | null, Dayjs | null] | null;
  }>({});
  const query = {
    action: filters.action || undefined,
    actor: filters.actor || undefined,
    targetType: filters.targetType || undefined,
    from: filters.range?.[0]?.toISOString(),
    to: filters.range?.[1]?.toISOString(),
  };
  const list = usePagedList<AuditEntry>(queryKeys.audit, '/api/admin/audit', { ...query, ...paging }, 15_000);

  return (
    <>
      <Space wrap className="filter-bar">
        <Input allowClear placeholder={t('logs.action')} aria-label={t('logs.action')} style={{ width: 200 }} onChange={(e) => set({ action: e.target.value.trim() })} />
        <Input allowClear placeholder={t('logs.actor')} aria-label={t('logs.actor')} style={{ width: 160 }} onChange={(e) => set({ actor: e.target.value.trim() })} />
        <Input allowClear placeholder={t('logs.targetType')} aria-label={t('logs.targetType')} style={{ width: 160 }} onChange={(e) => set({ targetType: e.target.value.trim() })} />
        <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" onChange={(range) => set({ range })} />
        <CsvDownloadButton<AuditEntry>
          path="/api/admin/audit"
          query={query}
          toRow={(e) => ({ at: e.at, actor: e.actorName, action: e.action, targetType: e.targetType, targetId: e.targetId ?? '', summary: JSON.stringify(e.summary) })}
          name="audit"
        />
      </Space>
      {list.isError && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        dataSource={list.data?.items ?? []}
        loading={list.isPending}
        data-testid="audit-table"
        onChange={(p) => setPaging({ page: p.current ?? 1, pageSize: p.pageSize ?? 50 })}
        pagination={{ current: paging.page, pageSize: paging.pageSize, total: list.data?.total ?? 0, showSizeChanger: true, showTotal: (n) => t('common.total', { count: n }) }}
        columns={[
          { title: t('common.time'), dataIndex: 'at', width: 170, render: (at: string) => dayjs(at).format('L LTS') },
          { title: t('logs.actor'), dataIndex: 'actorName', width: 140 },
          { title: t('logs.action'), dataIndex: 'action', width: 200, render: (a: string) => <Tag>{a}</Tag> },
          { title: t('logs.target'), key: 'target', width: 160, render: (_, e) => `${e.targetType}${e.targetId ? ` #${e.targetId}` : ''}` },
          {
            title: t('logs.summary'),
            dataIndex: 'summary',
            render: (s: Record<string, unknown>) => (
              <Typography.Text type="secondary" ellipsis={{ tooltip: JSON.stringify(s) }} style={{ maxWidth: 480 }}>
                {JSON.stringify(s)}
              </Typography.Text>
            ),
          },
        ]}
      />
    </>
  );
}

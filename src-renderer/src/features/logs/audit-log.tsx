import { DatePicker, Input, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import type { AuditEntry } from '../../../../src-shared/schemas/audit';
import { usePagedList } from '../../shared/list/use-paged-list';
import { ErrorAlert } from '../../shared/components/feedback';
import { CsvDownloadButton } from './csv-download-button';

type AuditFilters = { action?: string; actor?: string; targetType?: string; from?: string; to?: string };
const AUDIT_FILTERS: AuditFilters = { action: undefined, actor: undefined, targetType: undefined, from: undefined, to: undefined };

/** The audit log: every admin write with who, what and target; filtered, paged, downloadable. */
export function AuditLog() {
  const { t } = useTranslation();
  const list = usePagedList<AuditEntry, AuditFilters>({ queryKey: ['audit'], path: '/api/admin/audit', filters: AUDIT_FILTERS, refetchInterval: 15_000, urlPrefix: 'audit.' });
  const { filters, setFilters: set } = list;
  const text = (value: string) => value.trim() || undefined;

  return (
    <>
      <Space wrap className="filter-bar">
        <Input allowClear placeholder={t('logs.action')} aria-label={t('logs.action')} style={{ width: 200 }} onChange={(e) => set({ action: text(e.target.value) })} />
        <Input allowClear placeholder={t('logs.actor')} aria-label={t('logs.actor')} style={{ width: 160 }} onChange={(e) => set({ actor: text(e.target.value) })} />
        <Input allowClear placeholder={t('logs.targetType')} aria-label={t('logs.targetType')} style={{ width: 160 }} onChange={(e) => set({ targetType: text(e.target.value) })} />
        <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" onChange={(range) => set({ from: range?.[0]?.toISOString(), to: range?.[1]?.toISOString() })} />
        <CsvDownloadButton<AuditEntry>
          path="/api/admin/audit"
          query={filters}
          toRow={(e) => ({ at: e.at, actor: e.actorName, action: e.action, targetType: e.targetType, targetId: e.targetId ?? '', summary: JSON.stringify(e.summary) })}
          name="audit"
        />
      </Space>
      {list.query.isError && <ErrorAlert error={list.query.error} onRetry={() => void list.query.refetch()} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        dataSource={list.items}
        loading={list.query.isPending}
        data-testid="audit-table"
        pagination={{ ...list.pagination, showSizeChanger: true, showTotal: (n) => t('common.total', { count: n }) }}
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

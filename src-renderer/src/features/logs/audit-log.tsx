import { DatePicker, Input, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { auditActionValues, type AuditEntry } from '../../../../src-shared/schemas/audit';
import { usePagedList } from '../../shared/list/use-paged-list';
import { ErrorAlert } from '../../shared/components/feedback';
import { CsvDownloadButton } from './csv-download-button';
import { AuditDetails } from './audit-details';

type AuditFilters = { action?: string; actor?: string; targetType?: string; from?: string; to?: string };
const AUDIT_FILTERS: AuditFilters = { action: undefined, actor: undefined, targetType: undefined, from: undefined, to: undefined };

/** The translated label of an audit action (i18next reads dots as nesting, so the key has `_`). */
export function useActionLabel(): (action: string) => string {
  const { t } = useTranslation();
  return (action) => t(`operatorLogs.actions.${action.replaceAll('.', '_')}` as 'operatorLogs.actions.account_create', { defaultValue: action });
}

/** The audit log: every admin write with who, what (field by field) and target; filtered, paged, downloadable. */
export function AuditLog() {
  const { t } = useTranslation();
  const actionLabel = useActionLabel();
  const list = usePagedList<AuditEntry, AuditFilters>({ queryKey: ['audit'], path: '/api/admin/audit', filters: AUDIT_FILTERS, refetchInterval: 15_000, urlPrefix: 'audit.' });
  const { filters, setFilters: set } = list;
  const text = (value: string) => value.trim() || undefined;

  return (
    <>
      <Space wrap className="filter-bar">
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('logs.action')}
          aria-label={t('logs.action')}
          data-testid="audit-action-filter"
          style={{ width: 280 }}
          value={filters.action}
          onChange={(v: string | undefined) => set({ action: v })}
          options={auditActionValues.map((a) => ({ value: a, label: actionLabel(a) }))}
        />
        <Input allowClear placeholder={t('logs.actor')} aria-label={t('logs.actor')} style={{ width: 160 }} onChange={(e) => set({ actor: text(e.target.value) })} />
        <Input allowClear placeholder={t('logs.targetType')} aria-label={t('logs.targetType')} style={{ width: 160 }} onChange={(e) => set({ targetType: text(e.target.value) })} />
        <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" onChange={(range) => set({ from: range?.[0]?.toISOString(), to: range?.[1]?.toISOString() })} />
        <CsvDownloadButton<AuditEntry>
          path="/api/admin/audit"
          query={filters}
          toRow={(e) => ({
            at: e.at,
            actor: e.actorName,
            action: e.action,
            targetType: e.targetType,
            targetId: e.targetId ?? '',
            changes: JSON.stringify(e.changes),
            accounts: e.subjectCount,
            summary: JSON.stringify(e.summary),
          })}
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
          { title: t('logs.actor'), dataIndex: 'actorName', width: 130 },
          { title: t('logs.action'), dataIndex: 'action', width: 220, render: (a: string) => <Tag title={a}>{actionLabel(a)}</Tag> },
          { title: t('logs.target'), key: 'target', width: 140, render: (_, e) => `${e.targetType}${e.targetId ? ` #${e.targetId}` : ''}` },
          { title: t('logs.summary'), key: 'details', render: (_, e) => <AuditDetails entry={e} /> },
        ]}
      />
    </>
  );
}

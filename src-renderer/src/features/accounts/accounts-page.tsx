import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Button, Card, Dropdown, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import { DeleteOutlined, DownloadOutlined, DownOutlined, EditOutlined, EyeOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { accountStatuses, bulkExtendDaysSchema, roles, type accountSortFields, type Account, type AccountBulk, type AccountBulkResult, type AccountStatus, type Role } from '../../../../src-shared/schemas/accounts';
import { api, saveBlob } from '../../shared/api/client';
import { usePackages } from '../packages/package-queries';
import { accountsKey } from './account-queries';
import { usePagedList } from '../../shared/list/use-paged-list';
import { RefreshButton } from '../../shared/list/refresh-button';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { AccountDrawer } from './account-drawer';
import { CsvImportModal } from './csv-import-modal';
import { BulkTargets } from './bulk-confirm';

type SortField = (typeof accountSortFields)[number];

type AccountFilters = {
  q?: string;
  package?: string;
  hwid?: string;
  token?: string;
  role?: Role;
  status?: AccountStatus;
  sort: SortField;
  order: 'asc' | 'desc';
};

/** Every filter of the list with its default (the URL carries those that differ). */
const ACCOUNT_FILTERS: AccountFilters = {
  q: undefined,
  package: undefined,
  hwid: undefined,
  token: undefined,
  role: undefined,
  status: undefined,
  sort: 'username',
  order: 'asc',
};

type TextFilters = { q: string; hwid: string; token: string };

const textOf = (filters: AccountFilters): TextFilters => ({ q: filters.q ?? '', hwid: filters.hwid ?? '', token: filters.token ?? '' });
const sameText = (a: TextFilters, b: TextFilters) => a.q === b.q && a.hwid === b.hwid && a.token === b.token;

const statusColors: Record<AccountStatus, string> = { active: 'green', disabled: 'default', expired: 'red' };

/** `fn`, called once its calls pause for `ms` (typing in a filter does not query per key). */
function useDebouncedCallback<A>(fn: (arg: A) => void, ms = 300): (arg: A) => void {
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (arg: A) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => fn(arg), ms);
  };
}

type BulkDialog = { action: 'extend' } | { action: 'addPackage' | 'removePackage' } | null;

export function AccountsPage() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const { message, modal } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const packages = usePackages();
  const list = usePagedList<Account, AccountFilters>({ queryKey: accountsKey, path: '/api/admin/accounts', filters: ACCOUNT_FILTERS });
  const { filters, setFilters } = list;
  const [text, setText] = useState<TextFilters>(() => textOf(filters));
  /** The text filters last sent (trimmed), so the list's own answer to typing is not echoed back. */
  const applied = useRef<TextFilters>(textOf(filters));
  // Back, forward and reload change the filters from the URL: the text boxes follow them.
  useEffect(() => {
    const fromUrl = textOf(filters);
    if (sameText(fromUrl, applied.current)) return;
    applied.current = fromUrl;
    setText(fromUrl);
  }, [filters]);
  const applyText = useDebouncedCallback((next: TextFilters) => {
    applied.current = { q: next.q.trim(), hwid: next.hwid.trim(), token: next.token.trim() };
    setFilters({ q: applied.current.q || undefined, hwid: applied.current.hwid || undefined, token: applied.current.token || undefined });
  });
  const typeText = (patch: Partial<TextFilters>) => {
    const next = { ...text, ...patch };
    setText(next);
    applyText(next);
  };
  /** Selected accounts by id, with their usernames (kept across pages for the confirmation). */
  const [selection, setSelection] = useState<Map<number, string>>(new Map());
  const selected = useMemo(() => [...selection.keys()], [selection]);
  const [drawer, setDrawer] = useState<number | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [bulkDialog, setBulkDialog] = useState<BulkDialog>(null);
  const [bulkDays, setBulkDays] = useState<number | null>(30);
  const bulkDaysValid = bulkExtendDaysSchema.safeParse(bulkDays).success;
  const [bulkPackage, setBulkPackage] = useState<string | undefined>();
  const packageName = useMemo(() => new Map((packages.data ?? []).map((p) => [p.id, p.name])), [packages.data]);

  const runBulk = async (action: AccountBulk) => {
    try {
      const { affected } = await api.post<AccountBulkResult>('/api/admin/accounts/bulk', action);
      void message.success(t('accounts.bulkDone', { count: affected }));
      setSelection(new Map());
      setBulkDialog(null);
      await queryClient.invalidateQueries({ queryKey: accountsKey });
    } catch (error) {
      toast(error);
    }
  };

  const remove = async (id: number) => {
    try {
      await api.delete(`/api/admin/accounts/${id}`);
      void message.success(t('accounts.deleted'));
      setSelection((current) => new Map([...current].filter(([x]) => x !== id)));
      await queryClient.invalidateQueries({ queryKey: accountsKey });
    } catch (error) {
      toast(error);
    }
  };

  const exportCsv = async () => {
    try {
      const { sort: _sort, order: _order, ...where } = filters;
      const blob = await api.download('/api/admin/accounts/export.csv', where);
      saveBlob(blob, `accounts-${dayjs().format('YYYY-MM-DD')}.csv`);
    } catch (error) {
      toast(error);
    }
  };

  const columns: TableProps<Account>['columns'] = [
    {
      title: t('accounts.username'),
      dataIndex: 'username',
      key: 'username',
      sorter: true,
      sortOrder: filters.sort === 'username' ? (filters.order === 'asc' ? 'ascend' : 'descend') : null,
      render: (name: string, row) => (
        <Typography.Link onClick={() => setDrawer(row.id)} data-testid={`account-${name}`}>
          {name}
        </Typography.Link>
      ),
    },
    { title: t('accounts.role'), dataIndex: 'role', width: 110, render: (role: Role) => t(`roles.${role}`) },
    {
      title: t('accounts.status'),
      dataIndex: 'status',
      width: 110,
      render: (status: AccountStatus) => <Tag color={statusColors[status]}>{t(`accounts.statuses.${status}`)}</Tag>,
    },
    {
      title: t('accounts.packages'),
      dataIndex: 'packages',
      render: (ids: string[]) => ids.map((id) => <Tag key={id}>{packageName.get(id) ?? id}</Tag>),
    },
    {
      title: t('accounts.expiresAt'),
      dataIndex: 'expiresAt',
      key: 'expiresAt',
      width: 150,
      sorter: true,
      sortOrder: filters.sort === 'expiresAt' ? (filters.order === 'asc' ? 'ascend' : 'descend') : null,
      render: (value: string | null) => (value ? dayjs(value).format('L LT') : <Typography.Text type="secondary">{t('accounts.never')}</Typography.Text>),
    },
    { title: t('accounts.devicesShort'), dataIndex: 'deviceCount', width: 90, render: (n: number, row) => `${n}/${row.maxDevices || '∞'}` },
    { title: t('accounts.tokenShort'), dataIndex: 'tokenPreview', width: 130, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
    {
      title: t('common.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      width: 150,
      sorter: true,
      sortOrder: filters.sort === 'createdAt' ? (filters.order === 'asc' ? 'ascend' : 'descend') : null,
      render: (value: string) => dayjs(value).format('L LT'),
    },
    {
      title: '',
      key: 'actions',
      width: canWrite ? 96 : 56,
      render: (_, row) => (
        <Space size={4}>
          <Button size="small" icon={canWrite ? <EditOutlined /> : <EyeOutlined />} aria-label={canWrite ? t('common.edit') : t('common.view')} onClick={() => setDrawer(row.id)} />
          {canWrite && (
            <Popconfirm
              title={t('accounts.deleteConfirm', { name: row.username })}
              okText={t('common.delete')}
              okButtonProps={{ danger: true }}
              cancelText={t('common.cancel')}
              onConfirm={() => void remove(row.id)}
            >
              <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  /** A new order is a new question, like a filter: back to page 1. (Paging goes through `list.pagination`.) */
  const onTableChange: TableProps<Account>['onChange'] = (_pagination, _filters, sorter, extra) => {
    if (extra.action !== 'sort') return;
    const single = Array.isArray(sorter) ? sorter[0] : sorter;
    const field = (single?.columnKey as SortField | undefined) ?? 'username';
    if (single?.order) setFilters({ sort: field, order: single.order === 'descend' ? 'desc' : 'asc' });
    else setFilters({ sort: 'username', order: 'asc' });
  };

  const bulkItems = [
    { key: 'enable', label: t('accounts.bulk.enable') },
    { key: 'disable', label: t('accounts.bulk.disable') },
    { key: 'extend', label: t('accounts.bulk.extend') },
    { key: 'addPackage', label: t('accounts.bulk.addPackage') },
    { key: 'removePackage', label: t('accounts.bulk.removePackage') },
    { type: 'divider' as const },
    { key: 'delete', label: t('accounts.bulk.delete'), danger: true },
  ];
  /** Disabling and deleting cut viewers off: the operator confirms with the names and the count. */
  const confirmDestructive = (action: 'disable' | 'delete') => {
    modal.confirm({
      title: t(action === 'delete' ? 'accounts.bulkDeleteConfirm' : 'accounts.bulkDisableConfirm', { count: selected.length }),
      content: <BulkTargets usernames={[...selection.values()]} />,
      okText: t(action === 'delete' ? 'common.delete' : 'accounts.bulk.disable'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => runBulk({ action, ids: selected }),
    });
  };
  const onBulk = (key: string) => {
    if (key === 'enable') void runBulk({ action: key, ids: selected });
    else if (key === 'disable' || key === 'delete') confirmDestructive(key);
    else if (key === 'extend') setBulkDialog({ action: 'extend' });
    else if (key === 'addPackage' || key === 'removePackage') setBulkDialog({ action: key });
  };
  const pageHasOperators = list.items.some((row) => row.role !== 'user');

  return (
    <Card
      title={t('nav.accounts')}
      extra={
        <Space wrap>
          <Button icon={<DownloadOutlined />} onClick={() => void exportCsv()}>
            {t('csv.export')}
          </Button>
          {canWrite && (
            <>
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>
                {t('csv.import')}
              </Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer('new')}>
                {t('accounts.newAccount')}
              </Button>
            </>
          )}
        </Space>
      }
    >
      <Space wrap className="filter-bar" aria-label={t('common.filters')}>
        <Input.Search
          allowClear
          placeholder={t('accounts.searchPlaceholder')}
          value={text.q}
          onChange={(e) => typeText({ q: e.target.value })}
          style={{ width: 240 }}
          aria-label={t('accounts.searchPlaceholder')}
        />
        <Select
          allowClear
          placeholder={t('accounts.package')}
          aria-label={t('accounts.package')}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 160 }}
          value={filters.package}
          onChange={(value) => setFilters({ package: value })}
          options={(packages.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          data-testid="filter-package"
        />
        <Input
          allowClear
          placeholder={t('finding.hwidPrefix')}
          title={t('finding.hwidPrefixHint')}
          value={text.hwid}
          onChange={(e) => typeText({ hwid: e.target.value })}
          style={{ width: 170 }}
          aria-label={t('finding.hwidPrefix')}
        />
        <Input
          allowClear
          placeholder={t('finding.tokenPrefix')}
          title={t('finding.tokenPrefixHint')}
          value={text.token}
          onChange={(e) => typeText({ token: e.target.value })}
          style={{ width: 170 }}
          aria-label={t('finding.tokenPrefix')}
        />
        <Select
          allowClear
          placeholder={t('accounts.role')}
          aria-label={t('accounts.role')}
          style={{ width: 150 }}
          value={filters.role}
          onChange={(value) => setFilters({ role: value })}
          options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          data-testid="filter-role"
        />
        <Select
          allowClear
          placeholder={t('accounts.status')}
          aria-label={t('accounts.status')}
          style={{ width: 150 }}
          value={filters.status}
          onChange={(value) => setFilters({ status: value })}
          options={accountStatuses.map((s) => ({ value: s, label: t(`accounts.statuses.${s}`) }))}
          data-testid="filter-status"
        />
        <RefreshButton onRefresh={list.refresh} fetching={list.query.isFetching} />
        {canWrite && selected.length > 0 && (
          <Dropdown menu={{ items: bulkItems, onClick: ({ key }) => onBulk(key) }}>
            <Button data-testid="bulk-actions">
              {t('accounts.bulkActions', { count: selected.length })} <DownOutlined />
            </Button>
          </Dropdown>
        )}
      </Space>
      {canWrite && pageHasOperators && (
        <Typography.Paragraph type="secondary" className="bulk-note" data-testid="operators-not-selectable">
          {t('accounts.operatorsNotSelectable')}
        </Typography.Paragraph>
      )}
      {list.query.isError && <ErrorAlert error={list.query.error} onRetry={() => void list.query.refetch()} />}
      <Table<Account>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={list.items}
        loading={list.query.isFetching && !list.query.data}
        onChange={onTableChange}
        rowSelection={
          canWrite
            ? {
                selectedRowKeys: selected,
                preserveSelectedRowKeys: true,
                // Operators are changed one at a time: "select all" never sweeps them into a bulk action.
                getCheckboxProps: (row) => ({ disabled: row.role !== 'user', title: row.role !== 'user' ? t('accounts.operatorRow') : undefined }),
                onChange: (keys, rows) =>
                  setSelection((current) => new Map(keys.map((key) => [key as number, rows.find((row) => row?.id === key)?.username ?? current.get(key as number) ?? `#${key}`]))),
              }
            : undefined
        }
        pagination={{
          ...list.pagination,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (total) => t('common.total', { count: total }),
        }}
        scroll={{ x: 1100 }}
        data-testid="accounts-table"
      />
      <AccountDrawer target={drawer} onClose={() => setDrawer(null)} />
      <CsvImportModal open={importing} onClose={() => setImporting(false)} />
      <Modal
        open={bulkDialog !== null}
        title={bulkDialog ? t(`accounts.bulk.${bulkDialog.action}`) : ''}
        onCancel={() => setBulkDialog(null)}
        okText={t('common.apply')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: bulkDialog?.action === 'extend' ? !bulkDaysValid : !bulkPackage }}
        onOk={() => {
          if (!bulkDialog) return;
          if (bulkDialog.action === 'extend') {
            if (bulkDays !== null) void runBulk({ action: 'extend', ids: selected, days: bulkDays });
          } else if (bulkPackage) void runBulk({ action: bulkDialog.action, ids: selected, package: bulkPackage });
        }}
      >
        {bulkDialog?.action === 'extend' ? (
          <Space orientation="vertical">
            <Typography.Text>{t('accounts.extendHint')}</Typography.Text>
            <InputNumber
              value={bulkDays}
              onChange={setBulkDays}
              status={bulkDaysValid ? undefined : 'error'}
              addonAfter={t('common.days')}
              aria-label={t('common.days')}
            />
            {!bulkDaysValid && <Typography.Text type="danger">{t('form.between', { min: 1, max: 3650 })}</Typography.Text>}
          </Space>
        ) : (
          <Select
            style={{ width: '100%' }}
            placeholder={t('accounts.package')}
            value={bulkPackage}
            onChange={setBulkPackage}
            options={(packages.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
        )}
      </Modal>
    </Card>
  );
}

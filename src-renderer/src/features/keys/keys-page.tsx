import { App, Button, Card, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { SyncOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import type { ChannelKeyStatus, KeyRotate, KeyRotateResult, PackageKeyStatus, Rotation, RotationKind } from '../../../../src-shared/schemas/keys';
import { api } from '../../shared/api/client';
import { usePagedList } from '../../shared/list/use-paged-list';
import { keysKey, untilRotation, useKeyStatus } from './key-queries';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';

export function KeysPage() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const status = useKeyStatus();
  const history = usePagedList<Rotation, { kind?: RotationKind }>({
    queryKey: [...keysKey, 'rotations'],
    path: '/api/admin/keys/rotations',
    filters: { kind: undefined },
    pageSize: 20,
    refetchInterval: 10_000,
  });

  const rotate = async (request: KeyRotate) => {
    try {
      const result = await api.post<KeyRotateResult>('/api/admin/keys/rotate', request);
      void message.success(t('keys.rotated', { count: result.rotations.length }));
      await queryClient.invalidateQueries({ queryKey: keysKey });
    } catch (error) {
      toast(error);
    }
  };

  const rotateButton = (request: KeyRotate, label: string, confirm: string, testId: string) =>
    canWrite && (
      <Popconfirm title={confirm} okText={t('keys.rotate')} cancelText={t('common.cancel')} onConfirm={() => void rotate(request)}>
        <Button size="small" icon={<SyncOutlined />} data-testid={testId}>
          {label}
        </Button>
      </Popconfirm>
    );

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={t('keys.channelsTitle')}
        extra={
          <Space>
            {status.data && (
              <Typography.Text type="secondary">
                {t('keys.serverTime')}: {dayjs(status.data.serverTime).format('LTS')}
              </Typography.Text>
            )}
            {rotateButton({ kind: 'ecm' }, t('keys.rotateAllEcm'), t('keys.rotateAllEcmConfirm'), 'rotate-all-ecm')}
          </Space>
        }
      >
        {status.isError && <ErrorAlert error={status.error} onRetry={() => void status.refetch()} />}
        <Table<ChannelKeyStatus>
          rowKey="channelId"
          size="middle"
          loading={status.isPending}
          dataSource={status.data?.channels ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="keys-table"
          columns={[
            { title: t('channels.name'), dataIndex: 'name', render: (name: string, row) => <span>{name} <Typography.Text code>{row.channelId}</Typography.Text></span> },
            { title: t('channels.cryptoPeriod'), dataIndex: 'cryptoPeriodSeconds', render: (s: number) => `${s} s` },
            {
              title: t('keys.currentPeriod'),
              dataIndex: 'currentPeriod',
              render: (p: number, row) => (
                <Typography.Text code>
                  {p}
                  {row.currentGeneration ? `-${row.currentGeneration}` : ''}
                </Typography.Text>
              ),
            },
            {
              title: t('keys.nextRotation'),
              dataIndex: 'nextRotationAt',
              render: (at: string) => (
                <Tooltip title={dayjs(at).format('L LTS')}>
                  <span>{untilRotation(at, status.data?.serverTime)}</span>
                </Tooltip>
              ),
            },
            {
              title: t('keys.nextKey'),
              dataIndex: 'nextKeyReady',
              render: (ready: boolean) => (ready ? <Tag color="green">{t('keys.ready')}</Tag> : <Tag color="red">{t('keys.missing')}</Tag>),
            },
            { title: t('keys.keysHeld'), dataIndex: 'keysHeld' },
            { title: t('keys.lastRotated'), dataIndex: 'lastRotatedAt', render: (at: string | null) => (at ? dayjs(at).format('L LTS') : '—') },
            {
              title: '',
              key: 'rotate',
              render: (_, row) => rotateButton({ kind: 'ecm', channel: row.channelId }, t('keys.rotateEcm'), t('keys.rotateEcmConfirm', { name: row.name }), `rotate-ecm-${row.channelId}`),
            },
          ]}
        />
      </Card>
      <Card
        title={t('keys.packagesTitle')}
        extra={
          <Space>
            {status.data && <Typography.Text type="secondary">{t('keys.epochDays', { days: status.data.keyEpochDays })}</Typography.Text>}
            {rotateButton({ kind: 'emm' }, t('keys.rotateAllEmm'), t('keys.rotateAllEmmConfirm'), 'rotate-all-emm')}
          </Space>
        }
      >
        <Table<PackageKeyStatus>
          rowKey="packageId"
          size="middle"
          loading={status.isPending}
          dataSource={status.data?.packages ?? []}
          pagination={false}
          columns={[
            { title: t('packages.name'), dataIndex: 'name' },
            { title: t('keys.currentEpoch'), dataIndex: 'currentEpoch', render: (e: number | null) => e ?? '—' },
            { title: t('keys.nextRotation'), dataIndex: 'nextRotationAt', render: (at: string | null) => (at ? dayjs(at).format('L LT') : '—') },
            {
              title: t('keys.nextKey'),
              dataIndex: 'nextKeyReady',
              render: (ready: boolean) => (ready ? <Tag color="green">{t('keys.ready')}</Tag> : <Tag color="orange">{t('keys.missing')}</Tag>),
            },
            { title: t('keys.keysHeld'), dataIndex: 'keysHeld' },
            {
              title: '',
              key: 'rotate',
              render: (_, row) => rotateButton({ kind: 'emm', package: row.packageId }, t('keys.rotateEmm'), t('keys.rotateEmmConfirm', { name: row.name }), `rotate-emm-${row.packageId}`),
            },
          ]}
        />
      </Card>
      <Card
        title={t('keys.historyTitle')}
        extra={
          <Select
            allowClear
            placeholder={t('keys.kind')}
            style={{ width: 120 }}
            value={history.filters.kind}
            onChange={(kind) => history.setFilters({ kind })}
            options={[
              { value: 'ecm', label: 'ECM' },
              { value: 'emm', label: 'EMM' },
            ]}
          />
        }
      >
        {history.query.isError && <ErrorAlert error={history.query.error} />}
        <Table<Rotation>
          rowKey="id"
          size="small"
          dataSource={history.items}
          loading={history.query.isPending}
          data-testid="rotation-history"
          pagination={{ ...history.pagination, showTotal: (n) => t('common.total', { count: n }) }}
          columns={[
            { title: t('common.time'), dataIndex: 'at', render: (at: string) => dayjs(at).format('L LTS') },
            { title: t('keys.kind'), dataIndex: 'kind', render: (k: string) => <Tag color={k === 'ecm' ? 'blue' : 'purple'}>{k.toUpperCase()}</Tag> },
            { title: t('keys.trigger'), dataIndex: 'trigger', render: (tr: 'manual' | 'scheduled') => t(`keys.triggers.${tr}`) },
            { title: t('keys.target'), key: 'target', render: (_, r) => r.channelId ?? r.packageId ?? '—' },
            { title: t('keys.periodOrEpoch'), key: 'period', render: (_, r) => (r.period !== null ? `${r.period}${r.generation ? `-${r.generation}` : ''}` : (r.epoch ?? '—')) },
            { title: t('keys.startsAt'), dataIndex: 'startsAt', render: (at: string) => dayjs(at).format('L LTS') },
            { title: t('keys.actor'), dataIndex: 'actor' },
          ]}
        />
      </Card>
    </Space>
  );
}

import { Alert, Card, Col, Descriptions, Row, Statistic, Table, Tag, Tooltip as AntTooltip, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DashboardSummary } from '../../../../src-shared/schemas/access';
import type { Account } from '../../../../src-shared/schemas/accounts';
import type { ChannelKeyStatus } from '../../../../src-shared/schemas/keys';
import type { Page } from '../../../../src-shared/schemas/common';
import { api } from '../../shared/api/client';
import { useServerStatus } from './status-queries';
import { accountsKey } from '../accounts/account-queries';
import { ErrorAlert } from '../../shared/components/feedback';
import { untilRotation, useKeyStatus } from '../keys/key-queries';
import { LinksHealthPanel } from '../links/links-health-panel';

const REFRESH_MS = 10_000;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
}

function portOf(url: string | null): string {
  if (!url) return '—';
  try {
    return new URL(url).port || '80';
  } catch {
    return '—';
  }
}

export function DashboardPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const status = useServerStatus(REFRESH_MS);
  const summary = useQuery({
    queryKey: ['dashboard', 'summary'],
    queryFn: () => api.get<DashboardSummary>('/api/admin/dashboard/summary'),
    refetchInterval: REFRESH_MS,
  });
  const expiring = useQuery({
    queryKey: [...accountsKey, 'expiring'],
    queryFn: () => api.get<Page<Account>>('/api/admin/accounts', { expiresWithinDays: 7, sort: 'expiresAt', order: 'asc', pageSize: 10 }),
    refetchInterval: 60_000,
  });
  const keys = useKeyStatus(REFRESH_MS);
  const hourly = (summary.data?.hourly ?? []).map((h) => ({ ...h, label: dayjs(h.hour).format('HH:mm') }));
  const totals = hourly.reduce((sum, h) => ({ allow: sum.allow + h.authorizations, deny: sum.deny + h.refusals }), { allow: 0, deny: 0 });

  return (
    <div className="dashboard">
      {summary.isError && <ErrorAlert error={summary.error} onRetry={() => void summary.refetch()} />}
      <LinksHealthPanel />
      {status.data?.alarms.map((alarm) => (
        <Alert
          key={alarm.name}
          type="error"
          showIcon
          data-testid="alarm"
          style={{ marginBottom: 16 }}
          message={t('dashboard.alarm', { name: alarm.name, failures: alarm.failures, since: dayjs(alarm.since).format('L LTS') })}
          description={alarm.message}
        />
      ))}
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('dashboard.viewersNow')} value={summary.data?.viewersNow ?? 0} loading={summary.isPending} data-testid="viewers-now" />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('dashboard.accountsWatching')} value={summary.data?.accountsWatching ?? 0} loading={summary.isPending} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('dashboard.authorizations24h')} value={totals.allow} loading={summary.isPending} styles={{ content: { color: '#2f8f5b' } }} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('dashboard.refusals24h')} value={totals.deny} loading={summary.isPending} styles={{ content: { color: '#c0392b' } }} />
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card title={t('dashboard.last24h')} size="small">
            <div className="chart-box" data-testid="dashboard-chart">
              <ResponsiveContainer width="100%" height="100%">
                <AreaChart data={hourly}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="label" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  <Area type="monotone" dataKey="authorizations" name={t('dashboard.authorizations')} isAnimationActive={false} stroke="#2f8f5b" fill="#2f8f5b" fillOpacity={0.25} />
                  <Area type="monotone" dataKey="refusals" name={t('dashboard.refusals')} isAnimationActive={false} stroke="#c0392b" fill="#c0392b" fillOpacity={0.25} />
                </AreaChart>
              </ResponsiveContainer>
            </div>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('dashboard.topChannels')} size="small">
            <Table
              rowKey="channelId"
              size="small"
              pagination={false}
              dataSource={summary.data?.topChannels ?? []}
              locale={{ emptyText: t('dashboard.noViewers') }}
              columns={[
                { title: t('channels.name'), dataIndex: 'name' },
                { title: t('dashboard.viewers'), dataIndex: 'viewers', width: 80 },
                { title: t('dashboard.auth24h'), dataIndex: 'authorizations24h', width: 90 },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('dashboard.expiringSoon')} size="small" extra={<Typography.Link onClick={() => void navigate('/accounts')}>{t('nav.accounts')}</Typography.Link>}>
            {expiring.isError && <ErrorAlert error={expiring.error} />}
            <Table<Account>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={expiring.data?.items ?? []}
              locale={{ emptyText: t('dashboard.noneExpiring') }}
              footer={expiring.data && expiring.data.total > 10 ? () => t('common.total', { count: expiring.data.total }) : undefined}
              columns={[
                { title: t('accounts.username'), dataIndex: 'username' },
                {
                  title: t('accounts.expiresAt'),
                  dataIndex: 'expiresAt',
                  render: (at: string) => (
                    <AntTooltip title={dayjs(at).format('L LT')}>
                      <span>{dayjs(at).fromNow()}</span>
                    </AntTooltip>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('dashboard.keyRotation')} size="small" extra={<Typography.Link onClick={() => void navigate('/keys')}>{t('nav.keys')}</Typography.Link>}>
            {keys.isError && <ErrorAlert error={keys.error} />}
            <Table<ChannelKeyStatus>
              rowKey="channelId"
              size="small"
              pagination={{ pageSize: 6, hideOnSinglePage: true }}
              dataSource={keys.data?.channels ?? []}
              columns={[
                { title: t('channels.name'), dataIndex: 'name' },
                { title: t('keys.currentPeriod'), dataIndex: 'currentPeriod' },
                { title: t('keys.nextRotation'), dataIndex: 'nextRotationAt', render: (at: string) => untilRotation(at, keys.data?.serverTime) },
                { title: t('keys.nextKey'), dataIndex: 'nextKeyReady', render: (r: boolean) => (r ? <Tag color="green">{t('keys.ready')}</Tag> : <Tag color="red">{t('keys.missing')}</Tag>) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t('dashboard.server')} size="small">
            {status.isError && <ErrorAlert error={status.error} />}
            {status.data && (
              <Descriptions size="small" column={{ xs: 1, md: 3 }} data-testid="server-status">
                <Descriptions.Item label={t('dashboard.version')}>{status.data.version}</Descriptions.Item>
                <Descriptions.Item label={t('dashboard.uptime')}>{formatUptime(status.data.uptimeSeconds)}</Descriptions.Item>
                <Descriptions.Item label={t('dashboard.databaseSize')}>{formatBytes(status.data.databaseBytes)}</Descriptions.Item>
                <Descriptions.Item label={t('dashboard.adminPort')}>{portOf(status.data.adminUrl)}</Descriptions.Item>
                <Descriptions.Item label={t('dashboard.apiPort')}>{portOf(status.data.apiUrl)}</Descriptions.Item>
                <Descriptions.Item label={t('dashboard.counts')}>
                  {t('dashboard.countsValue', status.data.counts)}
                </Descriptions.Item>
                {status.data.tls && (
                  <>
                    <Descriptions.Item label={t('dashboard.apiTlsPort')}>{portOf(status.data.apiTlsUrl)}</Descriptions.Item>
                    <Descriptions.Item label={t('dashboard.tlsFingerprint')} span={2}>
                      <Typography.Text code copyable data-testid="tls-fingerprint">
                        {status.data.tls.fingerprint256}
                      </Typography.Text>
                      {status.data.tls.selfSigned && <Typography.Text type="secondary"> {t('dashboard.tlsSelfSigned')}</Typography.Text>}
                    </Descriptions.Item>
                  </>
                )}
                <Descriptions.Item label={t('dashboard.dataDir')} span={3}>
                  <Typography.Text code>{status.data.dataDir}</Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

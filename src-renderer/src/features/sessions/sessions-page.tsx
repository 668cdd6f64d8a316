import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Form, Input, List, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, MinusCircleOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AccountStats, AccountStatsPage, ChannelStatsPage, ViewingSession } from '../../../../src-shared/schemas/sessions';
import type { AccessStep, Explanation } from '../../../../src-shared/schemas/access';
import type { DeviceSession } from '../../../../src-shared/schemas/devices';
import { api, ApiRequestError } from '../../shared/api/client';
import { parseIpAddress } from '../../../../src-shared/net/ip-ranges';
import { useChannels } from '../channels/channel-queries';
import { explainStepText } from './explain-step-text';
import { usePagedList } from '../../shared/list/use-paged-list';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';

const sessionsKey = ['sessions'] as const;
const deviceSessionsKey = ['device-sessions'] as const;

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

function LiveSessions() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const channels = useChannels();
  const list = usePagedList<ViewingSession, { channel?: string; ip?: string; state: 'active' | 'ended' | 'all' }>({
    queryKey: sessionsKey,
    path: '/api/admin/sessions',
    filters: { channel: undefined, ip: undefined, state: 'active' },
    refetchInterval: 5000,
  });
  const { filters, setFilters } = list;

  const end = async (id: number) => {
    try {
      await api.delete(`/api/admin/sessions/${id}`);
      void message.success(t('sessions.ended'));
      await queryClient.invalidateQueries({ queryKey: sessionsKey });
    } catch (error) {
      toast(error);
    }
  };

  return (
    <>
      <Space wrap className="filter-bar">
        <Select
          value={filters.state}
          style={{ width: 130 }}
          onChange={(state) => setFilters({ state })}
          options={(['active', 'ended', 'all'] as const).map((s) => ({ value: s, label: t(`sessions.states.${s}`) }))}
        />
        <Select
          allowClear
          placeholder={t('logs.channel')}
          style={{ width: 180 }}
          value={filters.channel}
          onChange={(channel) => setFilters({ channel })}
          options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
        />
        <Input allowClear placeholder="IP" aria-label="IP" style={{ width: 150 }} defaultValue={filters.ip} onChange={(e) => setFilters({ ip: e.target.value.trim() || undefined })} />
      </Space>
      {list.query.isError && <ErrorAlert error={list.query.error} onRetry={() => void list.query.refetch()} />}
      <Table<ViewingSession>
        rowKey="id"
        size="small"
        dataSource={list.items}
        loading={list.query.isPending}
        data-testid="sessions-table"
        pagination={{ ...list.pagination, showTotal: (n) => t('common.total', { count: n }) }}
        columns={[
          { title: t('logs.account'), dataIndex: 'username' },
          { title: t('logs.channel'), dataIndex: 'channelId' },
          { title: 'IP', dataIndex: 'ip' },
          { title: t('sessions.since'), dataIndex: 'startedAt', render: (at: string) => dayjs(at).format('L LTS') },
          { title: t('sessions.lastSeen'), dataIndex: 'lastSeenAt', render: (at: string) => dayjs(at).format('LTS') },
          { title: t('logs.source'), dataIndex: 'source' },
          { title: t('sessions.requests'), dataIndex: 'requests' },
          {
            title: '',
            key: 'actions',
            render: (_, s) =>
              s.active ? (
                canWrite && (
                  <Popconfirm title={t('sessions.endConfirm', { user: s.username, channel: s.channelId })} okText={t('sessions.end')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={() => void end(s.id)}>
                    <Button size="small" danger data-testid={`end-session-${s.id}`}>
                      {t('sessions.end')}
                    </Button>
                  </Popconfirm>
                )
              ) : (
                <Tag>{s.endReason ?? t('sessions.states.ended')}</Tag>
              ),
          },
        ]}
      />
    </>
  );
}

/** Signed-in set-top boxes and player apps (device sessions), with revoke. */
function DeviceSessions() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const list = usePagedList<DeviceSession>({ queryKey: deviceSessionsKey, path: '/api/admin/device-sessions', filters: {}, refetchInterval: 10_000, urlPrefix: 'devices.' });

  const revoke = async (id: number) => {
    try {
      await api.delete(`/api/admin/device-sessions/${id}`);
      void message.success(t('sessions.deviceRevoked'));
      await queryClient.invalidateQueries({ queryKey: deviceSessionsKey });
    } catch (error) {
      toast(error);
    }
  };

  return (
    <>
      {list.query.isError && <ErrorAlert error={list.query.error} onRetry={() => void list.query.refetch()} />}
      <Table<DeviceSession>
        rowKey="id"
        size="small"
        dataSource={list.items}
        loading={list.query.isPending}
        pagination={{ ...list.pagination, showTotal: (n) => t('common.total', { count: n }) }}
        columns={[
          { title: t('logs.account'), dataIndex: 'username' },
          { title: 'HWID', dataIndex: 'hwid', render: (h: string) => <Typography.Text code>{h}</Typography.Text> },
          { title: 'IP', dataIndex: 'ip', render: (ip: string | null) => ip ?? '—' },
          { title: t('sessions.since'), dataIndex: 'createdAt', render: (at: string) => dayjs(at).format('L LTS') },
          { title: t('sessions.lastSeen'), dataIndex: 'lastSeenAt', render: (at: string) => dayjs(at).format('LTS') },
          { title: t('sessions.expires'), dataIndex: 'expiresAt', render: (at: string) => dayjs(at).format('L LTS') },
          {
            title: '',
            key: 'actions',
            render: (_, s) =>
              canWrite && (
                <Popconfirm title={t('sessions.revokeConfirm', { user: s.username, hwid: s.hwid })} okText={t('sessions.revoke')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={() => void revoke(s.id)}>
                  <Button size="small" danger>
                    {t('sessions.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </>
  );
}

function Statistics() {
  const { t } = useTranslation();
  const [days, setDays] = useState(1);
  const from = dayjs().subtract(days, 'day').startOf('minute').toISOString();
  const byChannel = useQuery({
    queryKey: ['stats', 'channels', days],
    queryFn: () => api.get<ChannelStatsPage>('/api/admin/stats/channels', { from, pageSize: 20 }),
    refetchInterval: 30_000,
  });
  const byAccount = useQuery({
    queryKey: ['stats', 'accounts', days],
    queryFn: () => api.get<AccountStatsPage>('/api/admin/stats/accounts', { from, pageSize: 20 }),
    refetchInterval: 30_000,
  });
  const channelData = (byChannel.data?.items ?? []).map((c) => ({ name: c.name ?? c.channelId, hours: Math.round((c.watchSeconds / 3600) * 10) / 10, peak: c.peakViewers }));
  const accountData = (byAccount.data?.items ?? []).map((a) => ({ name: a.username, hours: Math.round((a.watchSeconds / 3600) * 10) / 10, peak: a.peakSessions }));
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Select
        value={days}
        onChange={setDays}
        style={{ width: 180 }}
        options={[1, 7, 30].map((d) => ({ value: d, label: t('sessions.lastDays', { count: d }) }))}
      />
      {byChannel.isError && <ErrorAlert error={byChannel.error} />}
      <Card size="small" title={t('sessions.perChannel')}>
        <div className="chart-box" data-testid="stats-channels-chart">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={channelData}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="hours" name={t('sessions.watchHours')} fill="#1f4e8c" />
              <Bar isAnimationActive={false} dataKey="peak" name={t('sessions.peakViewers')} fill="#f0a030" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </Card>
      {byAccount.isError && <ErrorAlert error={byAccount.error} />}
      <Card size="small" title={t('sessions.perAccount')}>
        <div className="chart-box">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={accountData}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="hours" name={t('sessions.watchHours')} fill="#2f8f5b" />
              <Bar isAnimationActive={false} dataKey="peak" name={t('sessions.peakSessions')} fill="#f0a030" />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <Table<AccountStats>
          rowKey="accountId"
          size="small"
          pagination={false}
          dataSource={byAccount.data?.items ?? []}
          columns={[
            { title: t('logs.account'), dataIndex: 'username' },
            { title: t('sessions.watchTime'), dataIndex: 'watchSeconds', render: (s: number) => formatDuration(s) },
            { title: t('nav.sessions'), dataIndex: 'sessions' },
            { title: t('nav.channels'), dataIndex: 'channels' },
            { title: t('sessions.peakSessions'), dataIndex: 'peakSessions' },
          ]}
        />
      </Card>
    </Space>
  );
}

const OUTCOME_ICONS: Record<AccessStep['outcome'], ReactNode> = {
  pass: <CheckCircleFilled style={{ color: '#2f8f5b' }} />,
  fail: <CloseCircleFilled style={{ color: '#c0392b' }} />,
  skip: <MinusCircleOutlined style={{ color: '#8c8c8c' }} />,
};

/** One check of an explanation: a check, a cross or "skipped" (never a number), a date in the app's format. */
function ExplainStep({ step }: { step: AccessStep }) {
  const { t } = useTranslation();
  return (
    <List.Item data-testid={`explain-step-${step.check}`} data-outcome={step.outcome}>
      <List.Item.Meta
        avatar={<span aria-label={t(`operatorLogs.outcomes.${step.outcome}`)}>{OUTCOME_ICONS[step.outcome]}</span>}
        title={
          <Space>
            {t(`checks.${step.check}`)}
            {step.outcome === 'skip' && <Tag>{t('operatorLogs.outcomes.skip')}</Tag>}
          </Space>
        }
        description={explainStepText(step)}
      />
    </List.Item>
  );
}

type ExplainInput = { account: string; channel: string; ip: string };

/** Support tool: why may (or may not) this account watch this channel from this address? */
function ExplainTool() {
  const { t } = useTranslation();
  const channels = useChannels();
  const toast = useErrorToast();
  const [form] = Form.useForm<ExplainInput>();
  const [result, setResult] = useState<Explanation | null>(null);
  const explain = async (v: ExplainInput) => {
    // An answer belongs to the input it was asked for: a new question clears it first.
    setResult(null);
    try {
      setResult(await api.get<Explanation>('/api/admin/access/explain', v));
    } catch (error) {
      const field = error instanceof ApiRequestError ? error.field : undefined;
      if (field === 'ip' || field === 'account' || field === 'channel') form.setFields([{ name: field, errors: [error instanceof Error ? error.message : String(error)] }]);
      else toast(error);
    }
  };
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Form form={form} layout="inline" onFinish={(v: ExplainInput) => void explain(v)} onValuesChange={() => setResult(null)} onFinishFailed={() => setResult(null)}>
        <Form.Item name="account" rules={[{ required: true, message: t('common.required') }]}>
          <Input placeholder={t('sessions.explainAccount')} aria-label={t('sessions.explainAccount')} />
        </Form.Item>
        <Form.Item name="channel" rules={[{ required: true, message: t('common.required') }]}>
          <Select placeholder={t('logs.channel')} aria-label={t('logs.channel')} style={{ width: 180 }} options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        <Form.Item
          name="ip"
          rules={[
            { required: true, message: t('common.required') },
            { validator: (_, v?: string) => (!v || parseIpAddress(v) ? Promise.resolve() : Promise.reject(new Error(t('operatorLogs.badAddress')))) },
          ]}
        >
          <Input placeholder="IP" aria-label="IP" />
        </Form.Item>
        <Button htmlType="submit" type="primary">
          {t('sessions.explain')}
        </Button>
      </Form>
      {result && (
        <div data-testid="explain-result">
          <Alert
            type={result.allow ? 'success' : 'error'}
            showIcon
            title={result.allow ? t('sessions.allowed', { rule: result.rule ? t(`allowRules.${result.rule}`) : '' }) : t('sessions.refused', { reason: t(`reasons.${result.reason ?? 'bad_credential'}`) })}
          />
          <List size="small" dataSource={result.steps} renderItem={(step) => <ExplainStep step={step} />} />
        </div>
      )}
      <Typography.Paragraph type="secondary">{t('sessions.explainHint')}</Typography.Paragraph>
    </Space>
  );
}

export function SessionsPage() {
  const { t } = useTranslation();
  return (
    <Card title={t('nav.sessions')}>
      <Tabs
        items={[
          { key: 'live', label: t('sessions.live'), children: <LiveSessions /> },
          { key: 'devices', label: t('sessions.devices'), children: <DeviceSessions /> },
          { key: 'stats', label: t('sessions.statistics'), children: <Statistics /> },
          { key: 'explain', label: t('sessions.explainTitle'), children: <ExplainTool /> },
        ]}
      />
    </Card>
  );
}

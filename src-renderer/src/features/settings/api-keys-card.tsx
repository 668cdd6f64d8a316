import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { apiKeyCreateSchema, apiKeyScopes, type ApiKey, type ApiKeyCreated } from '../../../../src-shared/schemas/api-keys';
import { api } from '../../shared/api/client';
import { useChannels } from '../channels/channel-queries';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { showApiErrorAtField, showIssues, zodRule } from '../../shared/forms/zod-rules';

const apiKeysKey = ['api-keys'] as const;

interface KeyForm {
  name: string;
  scopes: string[];
  channels?: string[];
}

/** API keys for scripts and packagers: create (the key is shown once, packager keys optionally limited to channels), list, revoke. */
export function ApiKeysCard({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: apiKeysKey, queryFn: () => api.get<ApiKey[]>('/api/admin/api-keys') });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const channels = useChannels();
  const [form] = Form.useForm<KeyForm>();
  const scopes = Form.useWatch('scopes', form) ?? [];

  const create = async (values: KeyForm) => {
    // No channel chosen means every channel.
    const checked = apiKeyCreateSchema.safeParse({ ...values, channels: values.channels?.length ? values.channels : null });
    if (!checked.success) {
      showIssues(form, checked.error.issues, ['name', 'scopes', 'channels']);
      return;
    }
    try {
      const key = await api.post<ApiKeyCreated>('/api/admin/api-keys', checked.data);
      setCreating(false);
      setCreated(key);
      await queryClient.invalidateQueries({ queryKey: apiKeysKey });
    } catch (error) {
      if (!showApiErrorAtField(form, error, ['name', 'scopes', 'channels'])) toast(error);
    }
  };

  const revoke = async (id: number) => {
    try {
      await api.delete(`/api/admin/api-keys/${id}`);
      void message.success(t('apiKeys.revoked'));
      await queryClient.invalidateQueries({ queryKey: apiKeysKey });
    } catch (error) {
      toast(error);
    }
  };

  return (
    <Card
      size="small"
      title={t('apiKeys.title')}
      extra={
        !readOnly && (
          <Button icon={<PlusOutlined />} onClick={() => { form.resetFields(); setCreating(true); }}>
            {t('apiKeys.new')}
          </Button>
        )
      }
    >
      {keys.isError && <ErrorAlert error={keys.error} />}
      <Table<ApiKey>
        rowKey="id"
        size="small"
        pagination={false}
        loading={keys.isPending}
        dataSource={keys.data ?? []}
        data-testid="api-keys-table"
        columns={[
          { title: t('apiKeys.name'), dataIndex: 'name' },
          { title: t('apiKeys.scopes'), dataIndex: 'scopes', render: (scopes: string[]) => scopes.map((s) => <Tag key={s}>{s}</Tag>) },
          {
            title: t('apiKeys.channels'),
            dataIndex: 'channels',
            render: (ids: string[] | null) => (ids === null ? t('apiKeys.allChannels') : ids.map((id) => <Tag key={id}>{id}</Tag>)),
          },
          { title: t('apiKeys.prefix'), dataIndex: 'prefix', render: (p: string) => <Typography.Text code>{p}…</Typography.Text> },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (at: string, row) => `${dayjs(at).format('L LT')} (${row.createdBy})` },
          { title: t('apiKeys.lastUsed'), dataIndex: 'lastUsedAt', render: (at: string | null) => (at ? dayjs(at).format('L LT') : '—') },
          {
            title: '',
            key: 'actions',
            render: (_, row) =>
              row.revokedAt ? (
                <Tag>{t('apiKeys.revokedAt', { time: dayjs(row.revokedAt).format('L LT') })}</Tag>
              ) : (
                !readOnly && (
                  <Popconfirm title={t('apiKeys.revokeConfirm', { name: row.name })} okText={t('apiKeys.revoke')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={() => void revoke(row.id)}>
                    <Button size="small" danger>
                      {t('apiKeys.revoke')}
                    </Button>
                  </Popconfirm>
                )
              ),
          },
        ]}
      />
      <Modal open={creating} title={t('apiKeys.new')} okText={t('common.create')} cancelText={t('common.cancel')} onCancel={() => setCreating(false)} onOk={() => form.submit()} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(values) => void create(values)} initialValues={{ name: '', scopes: ['admin-read'] }}>
          <Form.Item name="name" label={t('apiKeys.name')} rules={[zodRule(apiKeyCreateSchema.shape.name)]}>
            <Input />
          </Form.Item>
          <Form.Item name="scopes" label={t('apiKeys.scopes')} rules={[zodRule(apiKeyCreateSchema.shape.scopes)]}>
            <Checkbox.Group options={apiKeyScopes.map((s) => ({ value: s, label: `${s} — ${t(`apiKeys.scopeHelp.${s}`)}` }))} />
          </Form.Item>
          {scopes.includes('packager') && (
            <Form.Item name="channels" label={t('apiKeys.channels')} extra={t('apiKeys.channelsHelp')}>
              <Select
                mode="multiple"
                allowClear
                loading={channels.isPending}
                options={(channels.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
                data-testid="api-key-channels"
              />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <Modal open={created !== null} title={t('apiKeys.createdTitle')} onOk={() => setCreated(null)} onCancel={() => setCreated(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title={t('apiKeys.showOnce')} className="form-alert" />
        <Typography.Paragraph copyable code data-testid="created-api-key">
          {created?.key}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}

import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { secretValueSchema, type SettingsView } from '../../../../src-shared/schemas/settings';
import { api } from '../../shared/api/client';
import { settingsKey } from './settings-queries';
import { useErrorToast } from '../../shared/components/feedback';
import { zodRule } from '../../shared/forms/zod-rules';
import { i18n } from '../../shared/i18n/i18n';

/** 32 random bytes, base64url: a fresh signing secret made in the browser (never logged). */
export function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function secretLabel(name: string): string {
  const key = `secrets.names.${name}`;
  return i18n.t(key, { defaultValue: name });
}

/**
 * Write-only secrets (securetoken, secure_link, …): the dashboard shows whether each is set and
 * when it was rotated; a new value is shown once so it can go into the streaming server's config.
 */
export function SecretsCard({ view, readOnly }: { view: SettingsView; readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<string | null>(null);
  const [shown, setShown] = useState<{ name: string; value: string } | null>(null);
  const [form] = Form.useForm<{ value: string }>();

  const save = async (name: string, value: string) => {
    try {
      await api.patch('/api/admin/settings', { [name]: value });
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      setEditing(null);
      setShown({ name, value });
      void message.success(t('secrets.rotated'));
    } catch (error) {
      toast(error);
    }
  };

  const rows = Object.entries(view.secrets).map(([name, status]) => ({ name, ...status }));
  return (
    <Card size="small" title={t('secrets.title')}>
      <Typography.Paragraph type="secondary">{t('secrets.intro')}</Typography.Paragraph>
      <Table
        rowKey="name"
        size="small"
        pagination={false}
        dataSource={rows}
        locale={{ emptyText: t('secrets.none') }}
        columns={[
          { title: t('secrets.name'), dataIndex: 'name', render: (name: string) => <span>{secretLabel(name)} <Typography.Text code>{name}</Typography.Text></span> },
          { title: t('secrets.state'), dataIndex: 'set', render: (set: boolean) => (set ? <Tag color="green">{t('secrets.set')}</Tag> : <Tag color="orange">{t('secrets.notSet')}</Tag>) },
          { title: t('secrets.rotatedAt'), dataIndex: 'rotatedAt', render: (at: string | null) => (at ? dayjs(at).format('L LT') : '—') },
          {
            title: '',
            key: 'actions',
            render: (_, row) =>
              !readOnly && (
                <Space>
                  <Button size="small" onClick={() => void save(row.name, randomSecret())} data-testid={`rotate-${row.name}`}>
                    {t('secrets.generate')}
                  </Button>
                  <Button size="small" onClick={() => { form.resetFields(); setEditing(row.name); }}>
                    {t('secrets.enter')}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing ? secretLabel(editing) : ''}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => editing && void save(editing, v.value)}>
          <Form.Item name="value" label={t('secrets.value')} rules={[zodRule(secretValueSchema)]}>
            <Input.Password autoComplete="off" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={shown !== null} title={t('secrets.newValue')} onOk={() => setShown(null)} onCancel={() => setShown(null)} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title={t('secrets.showOnce')} className="form-alert" />
        <Typography.Paragraph copyable code>
          {shown?.value}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}

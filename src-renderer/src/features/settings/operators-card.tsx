import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { passwordSchema, usernameSchema, type Account } from '../../../../src-shared/schemas/accounts';
import type { Page } from '../../../../src-shared/schemas/common';
import { api } from '../../shared/api/client';
import { accountsKey } from '../accounts/account-queries';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { showApiErrorAtField, zodRule } from '../../shared/forms/zod-rules';
import { AccountDrawer } from '../accounts/account-drawer';

/** Administrators and observers (the accounts that may sign in here). */
export function OperatorsCard({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const [form] = Form.useForm<{ username: string; password: string; role: 'admin' | 'observer' }>();
  const operators = useQuery({
    queryKey: [...accountsKey, 'operators'],
    queryFn: async () => {
      const [admins, observers] = await Promise.all(
        (['admin', 'observer'] as const).map((role) => api.get<Page<Account>>('/api/admin/accounts', { role, pageSize: 500 })),
      );
      return [...admins.items, ...observers.items];
    },
  });

  const create = async (values: { username: string; password: string; role: 'admin' | 'observer' }) => {
    try {
      await api.post('/api/admin/accounts', { ...values, maxConnections: 0, maxDevices: 0 });
      void message.success(t('operators.created'));
      setCreating(false);
      await queryClient.invalidateQueries({ queryKey: accountsKey });
    } catch (error) {
      if (!showApiErrorAtField(form, error, ['username', 'password', 'role'])) toast(error);
    }
  };

  return (
    <Card
      size="small"
      title={t('operators.title')}
      extra={
        !readOnly && (
          <Button icon={<PlusOutlined />} onClick={() => { form.resetFields(); setCreating(true); }}>
            {t('operators.new')}
          </Button>
        )
      }
    >
      {operators.isError && <ErrorAlert error={operators.error} />}
      <Table<Account>
        rowKey="id"
        size="small"
        pagination={false}
        loading={operators.isPending}
        dataSource={operators.data ?? []}
        columns={[
          { title: t('accounts.username'), dataIndex: 'username', render: (name: string, row) => <Typography.Link onClick={() => setEditing(row.id)}>{name}</Typography.Link> },
          { title: t('accounts.role'), dataIndex: 'role', render: (role: 'admin' | 'observer') => <Tag color={role === 'admin' ? 'blue' : 'gold'}>{t(`roles.${role}`)}</Tag> },
          { title: t('accounts.status'), dataIndex: 'status', render: (s: Account['status']) => t(`accounts.statuses.${s}`) },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (at: string) => dayjs(at).format('L LT') },
        ]}
      />
      <Modal open={creating} title={t('operators.new')} okText={t('common.create')} cancelText={t('common.cancel')} onCancel={() => setCreating(false)} onOk={() => form.submit()} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={(values) => void create(values)} initialValues={{ role: 'observer' }}>
          <Form.Item name="username" label={t('accounts.username')} rules={[zodRule(usernameSchema)]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" label={t('accounts.password')} rules={[zodRule(passwordSchema)]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="role" label={t('accounts.role')}>
            <Select options={(['admin', 'observer'] as const).map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <AccountDrawer target={editing} onClose={() => setEditing(null)} />
    </Card>
  );
}

import { useEffect, useState } from 'react';
import { App, Button, Card, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { packageCreateSchema, packageUpdateSchema, type Package, type PackageCreate, type PackageUpdate } from '../../../../src-shared/schemas/packages';
import { api } from '../../shared/api/client';
import { usePackages, packagesKey } from './package-queries';
import { useChannels, channelsKey } from '../channels/channel-queries';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { showApiErrorAtField, showIssues, zodRule } from '../../shared/forms/zod-rules';
import { useConfirmDiscard, useFormChanges } from '../../shared/forms/unsaved-changes';

const FIELDS = ['id', 'name', 'description', 'channels'];

interface PackageValues {
  id: string;
  name: string;
  description: string;
  channels: string[];
}

export function PackageForm({
  pkg,
  channels,
  readOnly,
  onSubmit,
  onCancel,
}: {
  pkg: Package | null;
  channels: Array<{ id: string; name: string }>;
  readOnly: boolean;
  onSubmit: (payload: PackageCreate | PackageUpdate) => Promise<unknown>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<PackageValues>();
  const toast = useErrorToast();
  const changes = useFormChanges();
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(pkg ? { ...pkg } : { id: '', name: '', description: '', channels: [] });
    changes.markClean();
  }, [pkg, form, changes]);

  const finish = async (values: PackageValues) => {
    const payload: PackageCreate | PackageUpdate = pkg
      ? { name: values.name, description: values.description ?? '', channels: values.channels ?? [] }
      : { ...values, description: values.description ?? '', channels: values.channels ?? [] };
    const checked = (pkg ? packageUpdateSchema : packageCreateSchema).safeParse(payload);
    if (!checked.success) {
      showIssues(form, checked.error.issues, FIELDS);
      return;
    }
    changes.markClean();
    try {
      await onSubmit(payload);
    } catch (error) {
      changes.markDirty();
      if (!showApiErrorAtField(form, error, FIELDS)) toast(error);
    }
  };

  return (
    <Form form={form} layout="vertical" scrollToFirstError onFinish={(values) => void finish(values)} onValuesChange={changes.onValuesChange} disabled={readOnly} aria-label={t('packages.form')}>
      <Form.Item name="id" label={t('packages.id')} extra={t('packages.idHint')} rules={[zodRule(packageCreateSchema.shape.id)]}>
        <Input disabled={!!pkg || readOnly} />
      </Form.Item>
      <Form.Item name="name" label={t('packages.name')} rules={[zodRule(packageCreateSchema.shape.name)]}>
        <Input />
      </Form.Item>
      <Form.Item name="description" label={t('packages.description')} rules={[zodRule(packageCreateSchema.shape.description)]}>
        <Input.TextArea rows={2} />
      </Form.Item>
      <Form.Item name="channels" label={t('packages.channels')}>
        <Select
          mode="multiple"
          allowClear
          optionFilterProp="label"
          placeholder={t('packages.chooseChannels')}
          options={channels.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
        />
      </Form.Item>
      {!readOnly && (
        <Space>
          <Button type="primary" htmlType="submit">
            {pkg ? t('common.save') : t('common.create')}
          </Button>
          <Button onClick={onCancel}>{t('common.cancel')}</Button>
        </Space>
      )}
    </Form>
  );
}

export function PackagesPage() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const confirmDiscard = useConfirmDiscard();
  const queryClient = useQueryClient();
  const packages = usePackages();
  const channels = useChannels();
  const [editing, setEditing] = useState<Package | 'new' | null>(null);
  const channelName = new Map((channels.data?.items ?? []).map((c) => [c.id, c.name]));

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: packagesKey }),
      queryClient.invalidateQueries({ queryKey: channelsKey }),
    ]);

  const submit = async (values: PackageCreate | PackageUpdate) => {
    if (editing === 'new') await api.post('/api/admin/packages', values);
    else if (editing) await api.patch(`/api/admin/packages/${editing.id}`, values);
    void message.success(t('common.saved'));
    setEditing(null);
    await refresh();
  };

  const remove = async (pkg: Package) => {
    try {
      await api.delete(`/api/admin/packages/${pkg.id}`, { force: pkg.accountCount > 0 ? 'true' : undefined });
      void message.success(t('packages.deleted'));
      await refresh();
    } catch (error) {
      toast(error);
    }
  };

  return (
    <Card
      title={t('nav.packages')}
      extra={
        canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('packages.new')}
          </Button>
        )
      }
    >
      {packages.isError && <ErrorAlert error={packages.error} onRetry={() => void packages.refetch()} />}
      <Table<Package>
        rowKey="id"
        loading={packages.isPending}
        dataSource={packages.data ?? []}
        pagination={false}
        data-testid="packages-table"
        columns={[
          { title: t('packages.name'), dataIndex: 'name', render: (name: string, pkg) => <Typography.Link onClick={() => setEditing(pkg)}>{name}</Typography.Link> },
          { title: t('packages.id'), dataIndex: 'id', render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          { title: t('packages.description'), dataIndex: 'description' },
          {
            title: t('packages.channels'),
            dataIndex: 'channels',
            render: (ids: string[]) => (ids.length ? ids.map((id) => <Tag key={id}>{channelName.get(id) ?? id}</Tag>) : '—'),
          },
          { title: t('packages.accounts'), dataIndex: 'accountCount', width: 110 },
          {
            title: '',
            key: 'actions',
            width: 96,
            render: (_, pkg) => (
              <Space size={4}>
                <Button size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={() => setEditing(pkg)} />
                {canWrite && (
                  <Popconfirm
                    title={pkg.accountCount > 0 ? t('packages.deleteHeld', { count: pkg.accountCount }) : t('packages.deleteConfirm', { name: pkg.name })}
                    okText={t('common.delete')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('common.cancel')}
                    onConfirm={() => void remove(pkg)}
                  >
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Drawer open={editing !== null} onClose={() => confirmDiscard(() => setEditing(null))} title={editing === 'new' ? t('packages.new') : editing?.name} size={520} destroyOnHidden>
        <PackageForm
          pkg={editing === 'new' ? null : editing}
          channels={channels.data?.items ?? []}
          readOnly={!canWrite}
          onSubmit={submit}
          onCancel={() => confirmDiscard(() => setEditing(null))}
        />
      </Drawer>
    </Card>
  );
}

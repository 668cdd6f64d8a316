import { App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { ipListNames, ipRuleCreateSchema, type IpRule, type IpRuleCreate } from '../../../../src-shared/schemas/access';
import { ipRangeSchema } from '../../../../src-shared/schemas/common';
import { api } from '../../shared/api/client';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { showApiErrorAtField, zodRule } from '../../shared/forms/zod-rules';

const ipRulesKey = ['ip-rules'] as const;

/** Allow list (no authorization needed) and deny list (always refused; deny wins). */
export function IpListsCard({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<IpRuleCreate>();
  const rules = useQuery({ queryKey: ipRulesKey, queryFn: () => api.get<IpRule[]>('/api/admin/access/ip-rules') });

  const add = async (values: IpRuleCreate) => {
    try {
      await api.post('/api/admin/access/ip-rules', { ...values, comment: values.comment ?? '' });
      form.resetFields(['range', 'comment']);
      void message.success(t('ipLists.added'));
      await queryClient.invalidateQueries({ queryKey: ipRulesKey });
    } catch (error) {
      if (!showApiErrorAtField(form, error, ['list', 'range', 'comment'])) toast(error);
    }
  };

  const remove = async (id: number) => {
    try {
      await api.delete(`/api/admin/access/ip-rules/${id}`);
      await queryClient.invalidateQueries({ queryKey: ipRulesKey });
    } catch (error) {
      toast(error);
    }
  };

  return (
    <Card size="small" title={t('ipLists.title')}>
      <Typography.Paragraph type="secondary">{t('ipLists.intro')}</Typography.Paragraph>
      {!readOnly && (
        <Form form={form} layout="inline" onFinish={(values) => void add(values)} initialValues={{ list: 'deny' }} className="filter-bar">
          <Form.Item name="list">
            <Select style={{ width: 140 }} options={ipListNames.map((l) => ({ value: l, label: t(`ipLists.${l}`) }))} />
          </Form.Item>
          <Form.Item name="range" rules={[zodRule(ipRuleCreateSchema.shape.range), zodRule(ipRangeSchema)]}>
            <Input placeholder="203.0.113.0/24" aria-label={t('ipLists.range')} />
          </Form.Item>
          <Form.Item name="comment">
            <Input placeholder={t('ipLists.comment')} aria-label={t('ipLists.comment')} />
          </Form.Item>
          <Button htmlType="submit">{t('ipLists.add')}</Button>
        </Form>
      )}
      {rules.isError && <ErrorAlert error={rules.error} />}
      <Table<IpRule>
        rowKey="id"
        size="small"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        loading={rules.isPending}
        dataSource={rules.data ?? []}
        columns={[
          { title: t('ipLists.list'), dataIndex: 'list', render: (l: 'allow' | 'deny') => <Tag color={l === 'deny' ? 'red' : 'green'}>{t(`ipLists.${l}`)}</Tag> },
          { title: t('ipLists.range'), dataIndex: 'range', render: (r: string) => <Typography.Text code>{r}</Typography.Text> },
          { title: t('ipLists.comment'), dataIndex: 'comment' },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (at: string) => dayjs(at).format('L LT') },
          {
            title: '',
            key: 'actions',
            render: (_, row) =>
              !readOnly && (
                <Space>
                  <Popconfirm title={t('ipLists.removeConfirm', { range: row.range })} okText={t('common.delete')} cancelText={t('common.cancel')} onConfirm={() => void remove(row.id)}>
                    <Button size="small" danger>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
    </Card>
  );
}

import { useEffect } from 'react';
import { App, Button, Card, Checkbox, Form, Input, Space, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { publicBaseUrlSchema } from '../../../../src-shared/schemas/links';
import type { SettingsView } from '../../../../src-shared/schemas/settings';
import { api } from '../../shared/api/client';
import { useErrorToast } from '../../shared/components/feedback';
import { showApiErrorAtField, zodRule } from '../../shared/forms/zod-rules';
import { settingsKey } from '../settings/settings-queries';
import { useLinksHealth } from './links-queries';

interface Values {
  publicBaseUrl: string;
  publicBaseUrlAllowLoopback: boolean;
}

/**
 * The public base URL of every link handed to customers' devices, with this machine's LAN
 * addresses one click away. On the settings page, and on the dashboard while none is set.
 */
export function PublicUrlCard({ view, readOnly }: { view: Pick<SettingsView, 'publicBaseUrl' | 'publicBaseUrlAllowLoopback'>; readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const links = useLinksHealth();
  const [form] = Form.useForm<Values>();
  const status = links.data?.publicBaseUrl;

  useEffect(() => {
    form.setFieldsValue({ publicBaseUrl: view.publicBaseUrl ?? '', publicBaseUrlAllowLoopback: view.publicBaseUrlAllowLoopback });
  }, [view, form]);

  const save = async (values: Values) => {
    try {
      await api.patch('/api/admin/settings', {
        publicBaseUrl: values.publicBaseUrl.trim() === '' ? null : values.publicBaseUrl.trim(),
        publicBaseUrlAllowLoopback: values.publicBaseUrlAllowLoopback,
      });
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      void message.success(t('links.saved'));
    } catch (error) {
      if (!showApiErrorAtField(form, error, ['publicBaseUrl', 'publicBaseUrlAllowLoopback'])) toast(error);
    }
  };

  return (
    <Card size="small" title={t('links.title')} data-testid="public-url-card">
      <Typography.Paragraph type="secondary">{t('links.intro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => void save(v)} disabled={readOnly}>
        <Form.Item name="publicBaseUrl" label={t('links.address')} rules={[zodRule(publicBaseUrlSchema.nullable(), (v) => (v ? v : null))]}>
          <Input placeholder={t('links.placeholder')} allowClear style={{ maxWidth: 420 }} data-testid="public-url-input" />
        </Form.Item>
        {status && status.suggestions.length > 0 && (
          <Form.Item label={t('links.suggestions')}>
            <Space wrap>
              {status.suggestions.map((s) => (
                <Button key={s.url} size="small" data-testid="public-url-suggestion" onClick={() => form.setFieldValue('publicBaseUrl', s.url)}>
                  {t('links.use', { url: s.url })} <Typography.Text type="secondary"> ({s.interface})</Typography.Text>
                </Button>
              ))}
            </Space>
          </Form.Item>
        )}
        <Form.Item name="publicBaseUrlAllowLoopback" valuePropName="checked">
          <Checkbox>{t('links.allowLoopback')}</Checkbox>
        </Form.Item>
        {status && (
          <Typography.Paragraph data-testid="public-url-in-use">
            {t('links.inUse', { url: status.effective })} — {t(`links.source.${status.source}`)}
          </Typography.Paragraph>
        )}
        {!readOnly && (
          <Button type="primary" htmlType="submit" data-testid="public-url-save">
            {t('common.save')}
          </Button>
        )}
      </Form>
    </Card>
  );
}

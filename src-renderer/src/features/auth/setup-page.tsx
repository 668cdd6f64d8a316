import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { passwordSchema, usernameSchema } from '../../../../src-shared/schemas/accounts';
import { useAuth } from './auth-context';
import { errorText } from '../../shared/components/feedback';
import { LanguageSwitch } from '../../shared/components/language-switch';
import { showApiErrorAtField, zodRule } from '../../shared/forms/zod-rules';

/** First run: create the first administrator (the CAS allows it only from its own machine). */
export function SetupPage() {
  const { t } = useTranslation();
  const { setUp } = useAuth();
  const [form] = Form.useForm();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setProblem(null);
    try {
      await setUp(values.username.trim(), values.password);
    } catch (error) {
      if (!showApiErrorAtField(form, error, ['username', 'password'])) setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="center-page">
      <Card className="auth-card" title="IPTV CAS Studio" extra={<LanguageSwitch />}>
        <Typography.Title level={4}>{t('setup.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('setup.intro')}</Typography.Paragraph>
        {problem && <Alert className="form-alert" type="error" showIcon role="alert" title={problem} />}
        <Form form={form} layout="vertical" onFinish={(values: { username: string; password: string }) => void submit(values)} requiredMark={false} disabled={busy}>
          <Form.Item name="username" label={t('auth.username')} initialValue="admin" rules={[zodRule(usernameSchema)]}>
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[zodRule(passwordSchema)]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label={t('setup.confirm')}
            dependencies={['password']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_rule, value) =>
                  value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('setup.mismatch'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('setup.create')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}

import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { loginRequestSchema } from '../../../../src-shared/schemas/admin-auth';
import { ApiRequestError } from '../../shared/api/client';
import { useAuth } from './auth-context';
import { errorText } from '../../shared/components/feedback';
import { LanguageSwitch } from '../../shared/components/language-switch';
import { zodRule } from '../../shared/forms/zod-rules';

/** What went wrong at sign-in, in words for the operator. */
export function signInProblem(error: unknown, t: (key: 'auth.lockedUntil' | 'auth.tooManyRequests', options?: Record<string, string>) => string): string {
  if (error instanceof ApiRequestError && error.code === 'locked_out') {
    const until = error.body.params.lockedUntil;
    return t('auth.lockedUntil', { time: typeof until === 'string' ? dayjs(until).format('HH:mm') : '?' });
  }
  if (error instanceof ApiRequestError && error.status === 429) return t('auth.tooManyRequests');
  return errorText(error);
}

/** A heading for refusals that are about the account rather than the password typed. */
function signInProblemTitle(error: unknown, t: (key: 'auth.lockedTitle' | 'auth.cannotSignIn') => string): string | undefined {
  if (!(error instanceof ApiRequestError)) return undefined;
  if (error.code === 'locked_out') return t('auth.lockedTitle');
  if (error.code === 'account_disabled' || error.code === 'account_expired') return t('auth.cannotSignIn');
  return undefined;
}

export function SignInPage() {
  const { t } = useTranslation();
  const { signIn } = useAuth();
  const [problem, setProblem] = useState<{ text: string; title: string | undefined } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setProblem(null);
    try {
      await signIn(values.username.trim(), values.password);
    } catch (error) {
      setProblem({ text: signInProblem(error, t), title: signInProblemTitle(error, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="center-page">
      <Card className="auth-card" title={<span>IPTV CAS Studio</span>} extra={<LanguageSwitch />}>
        <Typography.Title level={4}>{t('auth.signInTitle')}</Typography.Title>
        {problem && (
          <Alert
            className="form-alert"
            type={problem.title ? 'warning' : 'error'}
            showIcon
            role="alert"
            title={problem.title ?? problem.text}
            description={problem.title ? problem.text : undefined}
          />
        )}
        <Form layout="vertical" onFinish={(values: { username: string; password: string }) => void submit(values)} requiredMark={false} disabled={busy}>
          <Form.Item name="username" label={t('auth.username')} rules={[zodRule(loginRequestSchema.shape.username)]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[zodRule(loginRequestSchema.shape.password)]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('auth.signIn')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}

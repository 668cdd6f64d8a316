import { useEffect } from 'react';
import { Button, DatePicker, Form, Input, InputNumber, Select, Space, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import {
  accountCreateSchema,
  accountUpdateSchema,
  roles,
  type AccountCreate,
  type AccountDetail,
  type AccountUpdate,
  type Role,
} from '../../../../src-shared/schemas/accounts';
import type { Package } from '../../../../src-shared/schemas/packages';
import { emptyToNull, showApiErrorAtField, showIssues, zodRule } from '../../shared/forms/zod-rules';
import { useErrorToast } from '../../shared/components/feedback';
import { calendarDateIn } from '../../../../src-shared/time/expiry';
import { useFormChanges } from '../../shared/forms/unsaved-changes';

export interface AccountFormValues {
  username: string;
  password?: string;
  role: Role;
  packages: string[];
  maxConnections: number;
  maxDevices: number;
  expiresAt: Dayjs | null;
  allowedIps: string[];
  email?: string | null;
  comment?: string;
  enabled: boolean;
  token?: string;
  hwid?: string;
}

const FIELDS = [
  'username',
  'password',
  'role',
  'packages',
  'maxConnections',
  'maxDevices',
  'expiresAt',
  'allowedIps',
  'email',
  'comment',
  'enabled',
  'token',
  'hwid',
] as const;

const shape = accountCreateSchema.shape;
/** The picker's day as the API takes it: a date alone, which ends at midnight in the operator's time zone. */
const dateOf = (value: unknown) => (dayjs.isDayjs(value) ? value.format('YYYY-MM-DD') : value ?? null);

/** Form values → the JSON the API takes (empty optional fields left out or null). */
export function accountPayload(values: AccountFormValues, mode: 'create' | 'edit'): AccountCreate | AccountUpdate {
  const payload: Record<string, unknown> = {
    username: values.username?.trim(),
    role: values.role,
    packages: values.packages ?? [],
    maxConnections: values.maxConnections,
    maxDevices: values.maxDevices,
    expiresAt: values.expiresAt ? values.expiresAt.format('YYYY-MM-DD') : null,
    allowedIps: values.allowedIps ?? [],
    email: emptyToNull(values.email?.trim()),
    comment: values.comment ?? '',
    enabled: values.enabled,
  };
  if (values.password) payload.password = values.password;
  if (mode === 'create' && values.token?.trim()) payload.token = values.token.trim();
  if (mode === 'create' && values.hwid?.trim()) payload.hwid = values.hwid.trim();
  return payload;
}

/** A token as the CAS generates them: 32 random bytes in base64url (43 characters). */
export function generatedToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const blankToUndefined = (v: unknown) => (v === '' || v == null ? undefined : v);

export function formValuesOf(account: AccountDetail | null, timeZone = 'UTC'): AccountFormValues {
  if (!account) {
    return { username: '', role: 'user', packages: [], maxConnections: 1, maxDevices: 1, expiresAt: null, allowedIps: [], email: '', comment: '', enabled: true };
  }
  return {
    username: account.username,
    role: account.role,
    packages: account.packages,
    maxConnections: account.maxConnections,
    maxDevices: account.maxDevices,
    expiresAt: account.expiresAt ? dayjs(calendarDateIn(Date.parse(account.expiresAt), timeZone)) : null,
    allowedIps: account.allowedIps,
    email: account.email ?? '',
    comment: account.comment,
    enabled: account.enabled,
  };
}

interface Props {
  mode: 'create' | 'edit';
  account: AccountDetail | null;
  packages: Package[];
  readOnly: boolean;
  /** Sends the payload; a rejected promise with an API error is shown at its field. */
  onSubmit: (payload: AccountCreate | AccountUpdate) => Promise<unknown>;
  onCancel: () => void;
  /** The operator's time zone (the `timeZone` setting): a typed date ends at midnight there. */
  timeZone?: string;
}

/** Create or edit an account, with the shared validation rules at every field. */
export function AccountForm({ mode, account, packages, readOnly, onSubmit, onCancel, timeZone = 'UTC' }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<AccountFormValues>();
  const toast = useErrorToast();
  const role = Form.useWatch('role', form);
  const changes = useFormChanges();

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(formValuesOf(account, timeZone));
    changes.markClean();
  }, [account, form, timeZone, changes]);

  const finish = async (values: AccountFormValues) => {
    const payload = accountPayload(values, mode);
    // An expiry shown as a date is sent only when changed, so an exact time set elsewhere stays.
    if (mode === 'edit' && !form.isFieldTouched('expiresAt')) delete payload.expiresAt;
    const checked = (mode === 'create' ? accountCreateSchema : accountUpdateSchema).safeParse(payload);
    if (!checked.success) {
      const rest = showIssues(form, checked.error.issues, FIELDS);
      if (rest.length) toast(new Error(rest[0]));
      return;
    }
    if (mode === 'edit' && values.role !== 'user' && !account?.hasPassword && !values.password) {
      form.setFields([{ name: 'password', errors: [t('accounts.passwordNeeded')] }]);
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
    <Form<AccountFormValues>
      form={form}
      layout="vertical"
      scrollToFirstError
      onFinish={(values) => void finish(values)}
      onValuesChange={changes.onValuesChange}
      disabled={readOnly}
      initialValues={formValuesOf(account, timeZone)}
      aria-label={t('accounts.form')}
    >
      <Form.Item name="username" label={t('accounts.username')} rules={[zodRule(shape.username)]}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item
        name="password"
        label={mode === 'create' ? t('accounts.password') : t('accounts.newPassword')}
        extra={role === 'user' ? t('accounts.passwordHintUser') : t('accounts.passwordHintOperator')}
        rules={[zodRule(shape.password, (v) => (v === '' ? undefined : v))]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      {mode === 'create' && (
        <Form.Item name="hwid" label={t('finding.hwid')} extra={t('finding.hwidHint')} rules={[zodRule(shape.hwid, blankToUndefined)]}>
          <Input autoComplete="off" placeholder="00:1A:79:XX:XX:XX" />
        </Form.Item>
      )}
      <Space size="large" wrap align="start">
        <Form.Item name="role" label={t('accounts.role')}>
          <Select style={{ width: 160 }} options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        <Form.Item name="enabled" label={t('accounts.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
      <Form.Item name="packages" label={t('accounts.packages')} rules={[zodRule(shape.packages)]}>
        <Select
          mode="multiple"
          allowClear
          placeholder={t('accounts.choosePackages')}
          options={packages.map((p) => ({ value: p.id, label: p.name }))}
          optionFilterProp="label"
        />
      </Form.Item>
      <Space size="large" wrap align="start">
        <Form.Item name="maxConnections" label={t('accounts.maxConnections')} extra={t('accounts.zeroUnlimited', { max: accountUpdateSchema.shape.maxConnections.unwrap().maxValue })} rules={[zodRule(shape.maxConnections)]}>
          <InputNumber />
        </Form.Item>
        <Form.Item name="maxDevices" label={t('accounts.maxDevices')} extra={t('accounts.zeroUnlimited', { max: accountUpdateSchema.shape.maxDevices.unwrap().maxValue })} rules={[zodRule(shape.maxDevices)]}>
          <InputNumber />
        </Form.Item>
        <Form.Item name="expiresAt" label={t('accounts.expiresAt')} extra={t('accounts.expiresHint', { timeZone })} rules={[zodRule(shape.expiresAt, dateOf)]}>
          <DatePicker format="YYYY-MM-DD" />
        </Form.Item>
      </Space>
      <Form.Item name="allowedIps" label={t('accounts.allowedIps')} extra={t('accounts.allowedIpsHint')} rules={[zodRule(shape.allowedIps)]}>
        <Select mode="tags" tokenSeparators={[',', ' ', ';']} open={false} suffixIcon={null} placeholder="192.0.2.0/24" />
      </Form.Item>
      <Form.Item name="email" label={t('accounts.email')} rules={[zodRule(shape.email, emptyToNull)]}>
        <Input inputMode="email" autoComplete="off" />
      </Form.Item>
      <Form.Item name="comment" label={t('accounts.comment')} rules={[zodRule(shape.comment)]}>
        <Input.TextArea rows={2} />
      </Form.Item>
      {mode === 'create' && (
        <Form.Item label={t('accounts.token')} extra={t('accounts.tokenHint')}>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="token" noStyle rules={[zodRule(shape.token, blankToUndefined)]}>
              <Input autoComplete="off" aria-label={t('accounts.token')} />
            </Form.Item>
            <Button htmlType="button" onClick={() => form.setFieldValue('token', generatedToken())} data-testid="generate-token">
              {t('finding.generateToken')}
            </Button>
          </Space.Compact>
        </Form.Item>
      )}
      {!readOnly && (
        <Space>
          <Button type="primary" htmlType="submit">
            {mode === 'create' ? t('common.create') : t('common.save')}
          </Button>
          <Button onClick={onCancel} htmlType="button">
            {t('common.cancel')}
          </Button>
        </Space>
      )}
    </Form>
  );
}

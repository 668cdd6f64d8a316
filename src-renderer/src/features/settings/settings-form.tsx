import { useEffect, useMemo } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Select, Space, Switch } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { settingsSchema, type SettingsView } from '../../../../src-shared/schemas/settings';
import { accessSettingsShape } from '../../../../src-shared/schemas/access-settings';
import { keysSettingsShape } from '../../../../src-shared/schemas/keys-settings';
import { desktopSettingsShape } from '../../../../src-shared/schemas/desktop-settings';
import { devicesSettingsShape } from '../../../../src-shared/schemas/devices-settings';
import { linksSettingsShape } from '../../../../src-shared/schemas/links';
import { api } from '../../shared/api/client';
import { settingsKey } from './settings-queries';
import { useErrorToast } from '../../shared/components/feedback';
import { WatermarkFields } from '../../shared/components/watermark-editor';
import { i18n } from '../../shared/i18n/i18n';
import { showApiErrorAtField, zodRule } from '../../shared/forms/zod-rules';

type FieldKind =
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'string' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'list' }
  | { kind: 'watermark' }
  | { kind: 'other' };

interface FieldInfo {
  name: string;
  nullable: boolean;
  type: FieldKind;
}

/** Reads what kind of input a settings field needs from its zod schema (so new settings appear by themselves). */
export function describeField(name: string, schema: z.ZodType): FieldInfo {
  let inner = schema as unknown as { def: { type: string; innerType?: unknown }; options?: string[]; minValue?: number; maxValue?: number };
  let nullable = false;
  while (['default', 'optional', 'nullable'].includes(inner.def.type)) {
    if (inner.def.type === 'nullable') nullable = true;
    inner = inner.def.innerType as typeof inner;
  }
  const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
  switch (inner.def.type) {
    case 'number':
      return { name, nullable, type: { kind: 'number', min: finite(inner.minValue), max: finite(inner.maxValue) } };
    case 'boolean':
      return { name, nullable, type: { kind: 'boolean' } };
    case 'string':
      return { name, nullable, type: { kind: 'string' } };
    case 'enum':
      return { name, nullable, type: { kind: 'enum', options: inner.options ?? [] } };
    case 'array':
      return { name, nullable, type: { kind: 'list' } };
    case 'object':
      return { name, nullable, type: name.toLowerCase().includes('watermark') ? { kind: 'watermark' } : { kind: 'other' } };
    default:
      return { name, nullable, type: { kind: 'other' } };
  }
}

/** Settings with a card of their own (the public address: links/public-url-card.tsx), not in this form. */
export const ownCardFields = new Set(Object.keys(linksSettingsShape));

/** The operator-facing groups of the settings document, each from the capability that owns it. */
export function settingsGroups(): Array<{ key: string; fields: string[] }> {
  const owned = new Map<string, string>();
  for (const [group, shape] of [
    ['access', accessSettingsShape],
    ['keys', keysSettingsShape],
    ['devices', devicesSettingsShape],
    ['desktop', desktopSettingsShape],
  ] as const) {
    for (const name of Object.keys(shape)) owned.set(name, group);
  }
  const groups = new Map<string, string[]>([['signIn', []]]);
  for (const name of Object.keys(settingsSchema.shape)) {
    if (ownCardFields.has(name)) continue;
    const group = owned.get(name) ?? 'signIn';
    groups.set(group, [...(groups.get(group) ?? []), name]);
  }
  return [...groups].filter(([, fields]) => fields.length > 0).map(([key, fields]) => ({ key, fields }));
}

function label(name: string): string {
  const key = `settingsFields.${name}`;
  // Settings added later than this dashboard's texts still get a readable label.
  return i18n.t(key, { defaultValue: name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()) });
}

/** The words for one value of an enum setting; a value added later than these texts shows as it is stored. */
export function optionLabel(name: string, value: string): string {
  const key = `settingsOptions.${name}.${value}`;
  return i18n.t(key, { defaultValue: value });
}

function SettingField({ info, readOnly }: { info: FieldInfo; readOnly: boolean }) {
  const schema = settingsSchema.shape[info.name as keyof typeof settingsSchema.shape] as z.ZodType;
  const toValue = (v: unknown) => (info.nullable && (v === '' || v === undefined) ? null : v);
  const common = { name: info.name, label: label(info.name), rules: [zodRule(schema, toValue)] };
  switch (info.type.kind) {
    case 'number': {
      // Out of range is refused with the range, never clamped.
      const { min, max } = info.type;
      const range = min !== undefined && max !== undefined ? i18n.t('form.between', { min, max }) : undefined;
      return (
        <Form.Item {...common} rules={[zodRule(schema, toValue, range)]}>
          <InputNumber disabled={readOnly} style={{ width: 160 }} />
        </Form.Item>
      );
    }
    case 'boolean':
      return (
        <Form.Item {...common} valuePropName="checked">
          <Switch disabled={readOnly} />
        </Form.Item>
      );
    case 'enum':
      return (
        <Form.Item {...common}>
          <Select disabled={readOnly} popupMatchSelectWidth={false} options={info.type.options.map((o) => ({ value: o, label: optionLabel(info.name, o) }))} />
        </Form.Item>
      );
    case 'list':
      return (
        <Form.Item {...common}>
          <Select disabled={readOnly} mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', ' ', ';']} />
        </Form.Item>
      );
    case 'string':
      return (
        <Form.Item {...common}>
          <Input disabled={readOnly} allowClear={info.nullable} />
        </Form.Item>
      );
    case 'watermark':
      return (
        <Form.Item label={label(info.name)} className="nested-form-item">
          <WatermarkFields name={info.name} readOnly={readOnly} />
        </Form.Item>
      );
    default:
      return null;
  }
}

/**
 * Every setting of the document, grouped by capability, with the shared rules per field. Only
 * changed fields are sent; errors appear at their field.
 */
export function SettingsForm({ view, readOnly }: { view: SettingsView; readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [form] = Form.useForm();
  const groups = useMemo(() => settingsGroups(), []);
  const fields = useMemo(() => Object.keys(settingsSchema.shape).filter((name) => !ownCardFields.has(name)), []);
  const infos = useMemo(
    () => new Map(fields.map((name) => [name, describeField(name, settingsSchema.shape[name as keyof typeof settingsSchema.shape] as z.ZodType)])),
    [fields],
  );

  useEffect(() => {
    form.setFieldsValue(view);
  }, [view, form]);

  const save = async (values: Record<string, unknown>) => {
    const saved: Record<string, unknown> = view;
    const patch: Record<string, unknown> = {};
    for (const name of fields) {
      const info = infos.get(name)!;
      if (info.type.kind === 'other') continue;
      let value = values[name];
      if (info.nullable && (value === '' || value === undefined)) value = null;
      if (JSON.stringify(value) !== JSON.stringify(saved[name])) patch[name] = value;
    }
    if (Object.keys(patch).length === 0) {
      void message.info(t('settings.nothingChanged'));
      return;
    }
    try {
      await api.patch('/api/admin/settings', patch);
      void message.success(t('common.saved'));
      await queryClient.invalidateQueries({ queryKey: settingsKey });
    } catch (error) {
      if (!showApiErrorAtField(form, error, fields)) toast(error);
    }
  };

  return (
    <Form form={form} layout="vertical" scrollToFirstError onFinish={(values: Record<string, unknown>) => void save(values)} initialValues={view} aria-label={t('settings.general')}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {groups.map((group) => (
          <Card key={group.key} size="small" title={t(`settings.groups.${group.key}` as 'settings.groups.signIn', { defaultValue: group.key })}>
            <div className="settings-grid">
              {group.fields.map((name) => (
                <SettingField key={name} info={infos.get(name)!} readOnly={readOnly} />
              ))}
            </div>
          </Card>
        ))}
        {!readOnly && (
          <Button type="primary" htmlType="submit">
            {t('common.save')}
          </Button>
        )}
      </Space>
    </Form>
  );
}

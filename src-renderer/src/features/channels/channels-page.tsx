import { useEffect, useMemo, useState } from 'react';
import { App, AutoComplete, Avatar, Button, Card, Collapse, Drawer, Form, Input, InputNumber, Popconfirm, Select, Space, Switch, Table, Tag, Typography, Upload } from 'antd';
import type { TableProps } from 'antd';
import { DeleteOutlined, EditOutlined, PictureOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { channelCreateSchema, channelUpdateSchema, type Channel, type ChannelSort, type ChannelView } from '../../../../src-shared/schemas/channels';
import { ChannelProblemTag, useWarningText } from '../links/link-warnings';
import { urlSigningSchemes } from '../../../../src-shared/schemas/access';
import { inheritedWatermark, watermarkSpecSchema, type WatermarkSpec } from '../../../../src-shared/schemas/devices-watermarks';
import { api } from '../../shared/api/client';
import { usePackages, packagesKey } from '../packages/package-queries';
import { useChannels, channelsKey } from './channel-queries';
import { useSettings } from '../settings/settings-queries';
import { useServerStatus } from '../dashboard/status-queries';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { PreviewPlayer } from './preview-player';
import { WatermarkFields } from '../../shared/components/watermark-editor';
import { emptyToNull, showApiErrorAtField, showIssues, zodRule } from '../../shared/forms/zod-rules';
import { useConfirmDiscard, useFormChanges } from '../../shared/forms/unsaved-changes';
import { usePagedList } from '../../shared/list/use-paged-list';
import { RefreshButton } from '../../shared/list/refresh-button';

const FIELDS = ['id', 'name', 'number', 'group', 'groupOrder', 'position', 'logo', 'streamPath', 'enabled', 'packages', 'cryptoPeriodSeconds', 'hlsOrigin', 'watermark', 'urlSigning', 'streamBaseUrl'];
const create = channelCreateSchema.shape;

interface ChannelValues {
  id: string;
  name: string;
  number: number | null;
  group: string | null;
  groupOrder: number | null;
  position: number | null;
  logo: string | null;
  streamPath: string;
  enabled: boolean;
  packages: string[];
  cryptoPeriodSeconds: number;
  hlsOrigin: string | null;
  urlSigning: Channel['urlSigning'];
  streamBaseUrl: string | null;
  customWatermark: boolean;
  watermark: WatermarkSpec;
}

/** A logo as the browser can load it: uploaded logos live on the client listener. */
export function logoSrc(logo: string | null, apiUrl: string | null | undefined, version?: string): string | undefined {
  if (!logo) return undefined;
  if (logo.startsWith('/logos/')) return apiUrl ? `${apiUrl.replace(/\/$/, '')}${logo}${version ? `?v=${encodeURIComponent(version)}` : ''}` : undefined;
  return logo;
}

function valuesOf(channel: Channel | null, defaults: WatermarkSpec): ChannelValues {
  const custom = !!channel && Object.values(channel.watermark).some((v) => v !== null);
  const watermark = channel
    ? (Object.fromEntries(Object.entries(channel.watermark).map(([k, v]) => [k, v ?? defaults[k as keyof WatermarkSpec]])) as WatermarkSpec)
    : defaults;
  return {
    id: channel?.id ?? '',
    name: channel?.name ?? '',
    number: channel?.number ?? null,
    group: channel?.group ?? null,
    groupOrder: channel?.groupOrder ?? null,
    position: channel?.position ?? null,
    logo: channel?.logo ?? null,
    streamPath: channel?.streamPath ?? '',
    enabled: channel?.enabled ?? true,
    packages: channel?.packages ?? [],
    cryptoPeriodSeconds: channel?.cryptoPeriodSeconds ?? 600,
    hlsOrigin: channel?.hlsOrigin ?? null,
    urlSigning: channel?.urlSigning ?? 'token',
    streamBaseUrl: channel?.streamBaseUrl ?? null,
    customWatermark: custom,
    watermark,
  };
}

function payloadOf(values: ChannelValues, isNew: boolean): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    name: values.name,
    number: values.number ?? null,
    group: emptyToNull(values.group?.trim()),
    position: values.position ?? null,
    logo: emptyToNull(values.logo),
    enabled: values.enabled,
    packages: values.packages ?? [],
    cryptoPeriodSeconds: values.cryptoPeriodSeconds,
    hlsOrigin: emptyToNull(values.hlsOrigin),
    urlSigning: values.urlSigning,
    streamBaseUrl: emptyToNull(values.streamBaseUrl),
    watermark: values.customWatermark ? values.watermark : inheritedWatermark,
  };
  if (values.streamPath) payload.streamPath = values.streamPath;
  // Left empty, a channel takes the order its group already has.
  if (values.groupOrder !== null && values.groupOrder !== undefined) payload.groupOrder = values.groupOrder;
  if (isNew) payload.id = values.id;
  return payload;
}

export function ChannelForm({
  channel,
  readOnly,
  onSubmit,
  onCancel,
  groups = [],
}: {
  channel: Channel | null;
  readOnly: boolean;
  onSubmit: (payload: Record<string, unknown>) => Promise<unknown>;
  onCancel: () => void;
  /** The groups other channels use, offered while typing one. */
  groups?: string[];
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ChannelValues>();
  const toast = useErrorToast();
  const packages = usePackages();
  const settings = useSettings();
  const defaults = settings.data?.defaultWatermark ?? watermarkSpecSchema.parse({});
  const custom = Form.useWatch('customWatermark', form);
  const changes = useFormChanges();

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(valuesOf(channel, defaults));
    changes.markClean();
    // The default watermark only seeds a fresh form; it is not a reason to reset one being edited.
  }, [channel, form, changes]);

  const finish = async (values: ChannelValues) => {
    const payload = payloadOf(values, !channel);
    const checked = (channel ? channelUpdateSchema : channelCreateSchema).safeParse(payload);
    if (!checked.success) {
      const rest = showIssues(form, checked.error.issues, FIELDS);
      if (rest.length) toast(new Error(rest[0]));
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
    <Form form={form} layout="vertical" scrollToFirstError onFinish={(values) => void finish(values)} onValuesChange={changes.onValuesChange} disabled={readOnly} aria-label={t('channels.form')} initialValues={valuesOf(channel, defaults)}>
      <Space size="large" wrap align="start">
        <Form.Item name="id" label={t('channels.id')} rules={[zodRule(create.id)]} extra={t('channels.idHint')}>
          <Input disabled={!!channel || readOnly} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="number" label={t('channels.number')} rules={[zodRule(create.number, (v) => v ?? null)]}>
          <InputNumber />
        </Form.Item>
        <Form.Item name="enabled" label={t('channels.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
      <Form.Item name="name" label={t('channels.name')} rules={[zodRule(create.name)]}>
        <Input />
      </Form.Item>
      <Space size="large" wrap align="start">
        <Form.Item name="group" label={t('finding.group')} extra={t('finding.groupHint')} style={{ width: 220 }} rules={[zodRule(create.group, emptyToNull)]}>
          <AutoComplete
            style={{ width: 220 }}
            allowClear
            options={groups.map((g) => ({ value: g }))}
            filterOption={(input, option) => (option?.value ?? '').toLowerCase().includes(input.toLowerCase())}
            aria-label={t('finding.group')}
          />
        </Form.Item>
        <Form.Item name="groupOrder" label={t('finding.groupOrder')} extra={t('finding.groupOrderHint')} style={{ width: 180 }} rules={[zodRule(channelUpdateSchema.shape.groupOrder, (v) => v ?? undefined)]}>
          <InputNumber aria-label={t('finding.groupOrder')} />
        </Form.Item>
        <Form.Item name="position" label={t('finding.position')} extra={t('finding.positionHint')} style={{ width: 180 }} rules={[zodRule(create.position, (v) => v ?? null)]}>
          <InputNumber aria-label={t('finding.position')} />
        </Form.Item>
      </Space>
      <Form.Item name="packages" label={t('channels.packages')}>
        <Select mode="multiple" allowClear options={(packages.data ?? []).map((p) => ({ value: p.id, label: p.name }))} optionFilterProp="label" />
      </Form.Item>
      <Form.Item name="streamPath" label={t('channels.streamPath')} extra={t('channels.streamPathHint')} rules={[zodRule(create.streamPath, (v) => (v ? v : undefined))]}>
        <Input placeholder="/tv/<id>/index.m3u8" />
      </Form.Item>
      <Space size="large" wrap align="start">
        <Form.Item name="urlSigning" label={t('channels.urlSigning')}>
          <Select style={{ width: 340 }} options={urlSigningSchemes.map((s) => ({ value: s, label: t(`channels.signing.${s}`) }))} />
        </Form.Item>
        <Form.Item name="cryptoPeriodSeconds" label={t('channels.cryptoPeriod')} rules={[zodRule(create.cryptoPeriodSeconds)]}>
          <InputNumber suffix="s" />
        </Form.Item>
      </Space>
      <Form.Item name="streamBaseUrl" label={t('channels.streamBaseUrl')} extra={t('channels.streamBaseUrlHint')} rules={[zodRule(create.streamBaseUrl, emptyToNull)]}>
        <Input placeholder="http://tv.example:8000" />
      </Form.Item>
      <Form.Item name="hlsOrigin" label={t('channels.hlsOrigin')} extra={t('channels.hlsOriginHint')} rules={[zodRule(create.hlsOrigin, emptyToNull)]}>
        <Input placeholder="http://origin.example/tv/ or /srv/hls/channel" />
      </Form.Item>
      <Form.Item name="logo" label={t('channels.logoUrl')} extra={t('channels.logoUrlHint')} rules={[zodRule(create.logo, emptyToNull)]}>
        <Input placeholder="https://…/logo.png" />
      </Form.Item>
      <Form.Item name="customWatermark" label={t('channels.customWatermark')} valuePropName="checked" extra={t('channels.customWatermarkHint')}>
        <Switch />
      </Form.Item>
      {custom && <WatermarkFields name="watermark" readOnly={readOnly} />}
      {!readOnly && (
        <Space>
          <Button type="primary" htmlType="submit">
            {channel ? t('common.save') : t('common.create')}
          </Button>
          <Button onClick={onCancel}>{t('common.cancel')}</Button>
        </Space>
      )}
    </Form>
  );
}

function LogoUpload({ channel, apiUrl, readOnly }: { channel: Channel; apiUrl: string | null | undefined; readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const src = logoSrc(channel.logo, apiUrl, channel.updatedAt);
  const upload = async (file: Blob) => {
    try {
      const result = await api.put(`/api/admin/channels/${channel.id}/logo`, file);
      void message.success(t('channels.logoUploaded'));
      await queryClient.invalidateQueries({ queryKey: channelsKey });
      return result;
    } catch (error) {
      toast(error);
      throw error;
    }
  };
  const removeLogo = async () => {
    try {
      await api.delete(`/api/admin/channels/${channel.id}/logo`);
      await queryClient.invalidateQueries({ queryKey: channelsKey });
    } catch (error) {
      toast(error);
    }
  };
  return (
    <Space align="center" size="large" className="logo-upload">
      <Avatar shape="square" size={72} src={src} icon={<PictureOutlined />} alt={t('channels.logo')} data-testid="logo-preview" />
      {!readOnly && (
        <Upload
          accept="image/png,image/jpeg,image/svg+xml"
          showUploadList={false}
          customRequest={({ file, onSuccess, onError }) => {
            void upload(file as Blob).then(
              (result) => onSuccess?.(result),
              (error: Error) => onError?.(error),
            );
          }}
        >
          <Button icon={<UploadOutlined />}>{t('channels.uploadLogo')}</Button>
        </Upload>
      )}
      {!readOnly && channel.logo?.startsWith('/logos/') && (
        <Button
          danger
          onClick={() => void removeLogo()}
        >
          {t('channels.removeLogo')}
        </Button>
      )}
    </Space>
  );
}

/** A logo chosen for a channel not created yet: uploaded right after the channel is. */
function NewLogoPicker({ file, onChange }: { file: File | null; onChange: (file: File | null) => void }) {
  const { t } = useTranslation();
  const preview = useMemo(() => (file ? URL.createObjectURL(file) : undefined), [file]);
  useEffect(() => () => (preview ? URL.revokeObjectURL(preview) : undefined), [preview]);
  return (
    <Space align="center" size="large" className="logo-upload">
      <Avatar shape="square" size={72} src={preview} icon={<PictureOutlined />} alt={t('channels.logo')} data-testid="logo-preview" />
      <Upload
        accept="image/png,image/jpeg,image/svg+xml"
        showUploadList={false}
        beforeUpload={(chosen) => {
          onChange(chosen);
          return false;
        }}
      >
        <Button icon={<UploadOutlined />}>{t('channels.uploadLogo')}</Button>
      </Upload>
      {file && <Button onClick={() => onChange(null)}>{t('channels.removeLogo')}</Button>}
      <Typography.Text type="secondary">{t('finding.logoAfterCreate')}</Typography.Text>
    </Space>
  );
}

type ChannelFilters = { q?: string; package?: string; sort: ChannelSort; order: 'asc' | 'desc' };
const CHANNEL_FILTERS: ChannelFilters = { q: undefined, package: undefined, sort: 'order', order: 'asc' };

export function ChannelsPage() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const confirmDiscard = useConfirmDiscard();
  const queryClient = useQueryClient();
  const channels = useChannels();
  const list = usePagedList<ChannelView, ChannelFilters>({ queryKey: [...channelsKey, 'page'], path: '/api/admin/channels', filters: CHANNEL_FILTERS });
  const { filters, setFilters } = list;
  const [newLogo, setNewLogo] = useState<File | null>(null);
  const groups = useMemo(() => [...new Set((channels.data?.items ?? []).flatMap((c) => (c.group ? [c.group] : [])))].sort(), [channels.data]);
  const status = useServerStatus();
  const packages = usePackages();
  const [editingId, setEditingId] = useState<string | null>(null) // a channel id, or 'new';
  const editing = editingId === 'new' ? null : (channels.data?.items.find((c) => c.id === editingId) ?? null);
  const packageName = new Map((packages.data ?? []).map((p) => [p.id, p.name]));
  const apiUrl = status.data?.apiUrl;
  const warningText = useWarningText();

  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: channelsKey }), queryClient.invalidateQueries({ queryKey: packagesKey })]);

  // The save succeeds; what keeps the channel from playing is said at once.
  const warnAbout = (saved: ChannelView) => {
    for (const warning of saved.warnings) void message.warning(t('links.warnings.saved', { message: warningText(warning) }), 8);
  };

  const submit = async (payload: Record<string, unknown>) => {
    if (editingId === 'new') {
      warnAbout(await api.post<ChannelView>('/api/admin/channels', payload));
      void message.success(t('channels.created'));
      if (newLogo) {
        // The channel exists now; a refused logo is said and can be uploaded again in the drawer.
        await api.put(`/api/admin/channels/${String(payload.id)}/logo`, newLogo).then(
          () => message.success(t('channels.logoUploaded')),
          (error: unknown) => toast(error),
        );
        setNewLogo(null);
      }
      await refresh();
      setEditingId(String(payload.id));
      return;
    }
    warnAbout(await api.patch<ChannelView>(`/api/admin/channels/${editingId}`, payload));
    void message.success(t('common.saved'));
    await refresh();
    setEditingId(null);
  };

  const sortOrderOf = (key: ChannelSort) => (filters.sort === key ? (filters.order === 'asc' ? 'ascend' : 'descend') : null);
  /** A new order is a new question: back to page 1; no order is the playlist's order. */
  const onTableChange: TableProps<ChannelView>['onChange'] = (_pagination, _filters, sorter, extra) => {
    if (extra.action !== 'sort') return;
    const single = Array.isArray(sorter) ? sorter[0] : sorter;
    if (single?.order) setFilters({ sort: single.columnKey as ChannelSort, order: single.order === 'descend' ? 'desc' : 'asc' });
    else setFilters({ sort: 'order', order: 'asc' });
  };

  const remove = async (id: string) => {
    try {
      await api.delete(`/api/admin/channels/${id}`);
      void message.success(t('channels.deleted'));
      await refresh();
    } catch (error) {
      toast(error);
    }
  };

  return (
    <Card
      title={t('nav.channels')}
      extra={
        canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditingId('new')}>
            {t('channels.new')}
          </Button>
        )
      }
    >
      <Space wrap className="filter-bar" aria-label={t('common.filters')}>
        <Input.Search
          allowClear
          defaultValue={filters.q}
          key={filters.q ?? ''}
          placeholder={t('finding.channelSearch')}
          aria-label={t('finding.channelSearch')}
          style={{ width: 220 }}
          onSearch={(q) => setFilters({ q: q.trim() || undefined })}
        />
        <Select
          allowClear
          placeholder={t('channels.packages')}
          aria-label={t('channels.packages')}
          style={{ width: 180 }}
          value={filters.package}
          onChange={(value) => setFilters({ package: value })}
          options={(packages.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
        <RefreshButton onRefresh={list.refresh} fetching={list.query.isFetching} />
      </Space>
      {list.query.isError && <ErrorAlert error={list.query.error} onRetry={list.refresh} />}
      <Table<ChannelView>
        rowKey="id"
        loading={list.query.isPending}
        dataSource={list.items}
        onChange={onTableChange}
        pagination={{ ...list.pagination, showSizeChanger: true, showTotal: (n) => t('common.total', { count: n }) }}
        scroll={{ x: 1800 }}
        data-testid="channels-table"
        columns={[
          {
            title: t('channels.logo'),
            dataIndex: 'logo',
            width: 72,
            render: (logo: string | null, row) => <Avatar shape="square" size={40} src={logoSrc(logo, apiUrl, row.updatedAt)} icon={<PictureOutlined />} />,
          },
          { title: '#', dataIndex: 'number', key: 'number', width: 72, sorter: true, sortOrder: sortOrderOf('number') },
          {
            title: t('finding.group'),
            dataIndex: 'group',
            key: 'group',
            width: 150,
            sorter: true,
            sortOrder: sortOrderOf('group'),
            render: (group: string | null, row) => (group ? <Tag data-testid={`group-${row.id}`}>{group}</Tag> : '—'),
          },
          {
            title: t('finding.order'),
            key: 'order',
            width: 150,
            sorter: true,
            sortOrder: sortOrderOf('order'),
            render: (_, row) => `${row.groupOrder} · ${row.position ?? '—'}`,
          },
          { title: t('channels.name'), dataIndex: 'name', key: 'name', sorter: true, sortOrder: sortOrderOf('name'), render: (name: string, row) => <Typography.Link onClick={() => setEditingId(row.id)}>{name}</Typography.Link> },
          { title: t('channels.id'), dataIndex: 'id', width: 130, render: (id: string) => <Typography.Text code>{id}</Typography.Text> },
          { title: t('channels.streamPath'), dataIndex: 'streamPath', ellipsis: true, width: 160 },
          {
            title: t('channels.urlSigning'),
            dataIndex: 'urlSigning',
            // Wide enough for the "Generate …" fix of a channel that won't play, in either language.
            width: 270,
            render: (s: Channel['urlSigning'], row) => (
              <Space orientation="vertical" size={2}>
                {t(`channels.signing.${s}`)}
                <ChannelProblemTag warnings={row.warnings} />
              </Space>
            ),
          },
          { title: t('channels.cryptoPeriod'), dataIndex: 'cryptoPeriodSeconds', width: 110, render: (s: number) => `${s} s` },
          { title: t('channels.packages'), dataIndex: 'packages', render: (ids: string[]) => ids.map((id) => <Tag key={id}>{packageName.get(id) ?? id}</Tag>) },
          {
            title: t('channels.enabled'),
            dataIndex: 'enabled',
            width: 110,
            render: (on: boolean) => (on ? <Tag color="green">{t('common.on')}</Tag> : <Tag>{t('common.off')}</Tag>),
          },
          {
            title: '',
            key: 'actions',
            width: 96,
            render: (_, row) => (
              <Space size={4}>
                <Button size="small" icon={<EditOutlined />} aria-label={t('common.edit')} onClick={() => setEditingId(row.id)} />
                {canWrite && (
                  <Popconfirm title={t('channels.deleteConfirm', { name: row.name })} okText={t('common.delete')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={() => void remove(row.id)}>
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Drawer open={editingId !== null} onClose={() => confirmDiscard(() => setEditingId(null))} title={editing ? editing.name : t('channels.new')} size={680} destroyOnHidden>
        {editing && <LogoUpload channel={editing} apiUrl={apiUrl} readOnly={!canWrite} />}
        {editingId === 'new' && canWrite && <NewLogoPicker file={newLogo} onChange={setNewLogo} />}
        <ChannelForm key={editing?.id ?? 'new'} channel={editing} groups={groups} readOnly={!canWrite} onSubmit={submit} onCancel={() => confirmDiscard(() => setEditingId(null))} />
        {editing && canWrite && (
          <Collapse
            className="player-collapse"
            items={[{ key: 'player', label: t('player.title'), children: <PreviewPlayer channelId={editing.id} apiUrl={apiUrl ?? null} /> }]}
          />
        )}
      </Drawer>
    </Card>
  );
}

import { App, Button, Descriptions, Divider, Drawer, Popconfirm, Skeleton, Table, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import type { AccountCreate, AccountDetail, AccountUpdate, Device } from '../../../../src-shared/schemas/accounts';
import { api } from '../../shared/api/client';
import { usePackages } from '../packages/package-queries';
import { useLinksHealth } from '../links/links-queries';
import { BrokenChannelsAlert, PublicUrlWarning } from '../links/link-warnings';
import { useSettings } from '../settings/settings-queries';
import { accountsKey } from './account-queries';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';
import { AccountForm } from './account-form';
import { useConfirmDiscard } from '../../shared/forms/unsaved-changes';

/** The URL a subscriber's player loads (every channel the account may watch), at the CAS's public base URL. */
export function playlistUrlOf(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/playlist.m3u8?token=${encodeURIComponent(token)}`;
}

interface Props {
  /** `new` for a new account, an id to edit, null when closed. */
  target: number | 'new' | null;
  onClose: () => void;
}

export function AccountDrawer({ target, onClose }: Props) {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const packages = usePackages();
  const publicBase = useLinksHealth().data?.publicBaseUrl.effective;
  const settings = useSettings();
  const confirmDiscard = useConfirmDiscard();
  const requestClose = () => confirmDiscard(onClose);
  const id = typeof target === 'number' ? target : null;
  const detail = useQuery({
    queryKey: [...accountsKey, 'detail', id],
    queryFn: () => api.get<AccountDetail>(`/api/admin/accounts/${id}`),
    enabled: id !== null,
  });

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: accountsKey });
  };

  const submit = async (payload: AccountCreate | AccountUpdate) => {
    if (id === null) {
      await api.post<AccountDetail>('/api/admin/accounts', payload);
      void message.success(t('accounts.created'));
    } else {
      await api.patch<AccountDetail>(`/api/admin/accounts/${id}`, payload);
      void message.success(t('common.saved'));
    }
    await refresh();
    onClose();
  };

  const regenerate = async () => {
    try {
      await api.post(`/api/admin/accounts/${id}/token`);
      void message.success(t('accounts.tokenRegenerated'));
      await refresh();
    } catch (error) {
      toast(error);
    }
  };

  const unbind = async (deviceId: number) => {
    try {
      await api.delete(`/api/admin/accounts/${id}/devices/${deviceId}`);
      void message.success(t('accounts.deviceUnbound'));
      await refresh();
    } catch (error) {
      toast(error);
    }
  };

  const account = detail.data ?? null;
  const title = id === null ? t('accounts.newAccount') : account ? account.username : t('accounts.account');
  return (
    <Drawer open={target !== null} onClose={requestClose} title={title} size={620} destroyOnHidden>
      {id !== null && detail.isPending && <Skeleton active />}
      {id !== null && detail.isError && <ErrorAlert error={detail.error} onRetry={() => void detail.refetch()} />}
      {(id === null || account) && (
        <>
          {account && (
            <>
              <BrokenChannelsAlert packages={account.packages} title="accountTitle" />
              <Descriptions column={1} size="small" bordered>
                <Descriptions.Item label={t('accounts.token')}>
                  {account.token ? (
                    <Typography.Text code copyable={{ text: account.token }} data-testid="account-token">
                      {account.tokenPreview}
                    </Typography.Text>
                  ) : (
                    <Typography.Text code>{account.tokenPreview}</Typography.Text>
                  )}
                  {canWrite && (
                    <Popconfirm title={t('accounts.regenerateConfirm')} onConfirm={() => void regenerate()} okText={t('accounts.regenerate')} cancelText={t('common.cancel')}>
                      <Button size="small" icon={<ReloadOutlined />} style={{ marginLeft: 8 }}>
                        {t('accounts.regenerate')}
                      </Button>
                    </Popconfirm>
                  )}
                </Descriptions.Item>
                {account.token && publicBase && (
                  <Descriptions.Item label={t('accounts.playlistUrl')}>
                    <Typography.Text copyable={{ text: playlistUrlOf(publicBase, account.token) }} ellipsis style={{ maxWidth: 380 }} data-testid="playlist-url">
                      {playlistUrlOf(publicBase, account.token)}
                    </Typography.Text>
                    <PublicUrlWarning compact />
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t('accounts.status')}>{t(`accounts.statuses.${account.status}`)}</Descriptions.Item>
                <Descriptions.Item label={t('common.createdAt')}>{dayjs(account.createdAt).format('L LT')}</Descriptions.Item>
              </Descriptions>
              <Divider titlePlacement="start">{t('accounts.devices')}</Divider>
              <Table
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={account.devices}
                locale={{ emptyText: t('accounts.noDevices') }}
                columns={[
                  { title: 'HWID', dataIndex: 'hwid', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                  { title: t('accounts.lastSeen'), dataIndex: 'lastSeenAt', render: (v: string) => dayjs(v).format('L LT') },
                  { title: 'IP', dataIndex: 'lastIp' },
                  ...(canWrite
                    ? [
                        {
                          title: '',
                          key: 'unbind',
                          render: (_: unknown, device: Device) => (
                            <Popconfirm title={t('accounts.unbindConfirm')} onConfirm={() => void unbind(device.id)} okText={t('accounts.unbind')} cancelText={t('common.cancel')}>
                              <Button size="small" danger>
                                {t('accounts.unbind')}
                              </Button>
                            </Popconfirm>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
              <Divider titlePlacement="start">{t('accounts.details')}</Divider>
            </>
          )}
          <AccountForm
            mode={id === null ? 'create' : 'edit'}
            account={account}
            packages={packages.data ?? []}
            readOnly={!canWrite}
            onSubmit={submit}
            onCancel={requestClose}
            timeZone={settings.data?.timeZone}
          />
        </>
      )}
    </Drawer>
  );
}

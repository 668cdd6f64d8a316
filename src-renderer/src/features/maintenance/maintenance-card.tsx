import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Input, Modal, Space, Table, Tag, Typography, Upload } from 'antd';
import { CloudDownloadOutlined, DatabaseOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import type { BackupInfo, BackupList } from '../../../../src-shared/schemas/backups';
import { configPassphraseSchema, type ConfigChanges, type ConfigImportResult } from '../../../../src-shared/schemas/config-transfer';
import { api, saveBlob } from '../../shared/api/client';
import { ErrorAlert, useErrorToast } from '../../shared/components/feedback';

export const backupsKey = ['backups'] as const;

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`;
}

/** Waits for the restarted CAS to answer again (the restore restarts it in place). */
async function untilCasAnswers(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const up = await fetch('/healthz').then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
  }
}

/** Backups (list, back up now, download, restore) and moving the configuration to another CAS. */
export function MaintenanceCard({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [restoring, setRestoring] = useState<BackupInfo | null>(null);
  const backups = useQuery({ queryKey: backupsKey, queryFn: () => api.get<BackupList>('/api/admin/backups') });
  const backUpNow = useMutation({
    mutationFn: () => api.post<BackupInfo>('/api/admin/backups'),
    onSuccess: async (made) => {
      void message.success(t('maintenance.backedUp', { name: made.name }));
      await queryClient.invalidateQueries({ queryKey: backupsKey });
    },
    onError: toast,
  });
  const restore = async (backup: BackupInfo) => {
    setRestoring(null);
    try {
      await api.post(`/api/admin/backups/${backup.name}/restore`);
      const hide = message.loading(t('maintenance.restarting'), 0);
      await untilCasAnswers();
      hide();
      void message.success(t('maintenance.reconnected'));
      await queryClient.invalidateQueries();
    } catch (error) {
      toast(error);
    }
  };
  const download = async (name: string) => {
    try {
      saveBlob(await api.download(`/api/admin/backups/${name}`), name);
    } catch (error) {
      toast(error);
    }
  };
  const runningKey = backups.data?.keyCheckValue;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        size="small"
        title={t('maintenance.backups')}
        extra={
          !readOnly && (
            <Button icon={<DatabaseOutlined />} loading={backUpNow.isPending} onClick={() => backUpNow.mutate()} data-testid="backup-now">
              {t('maintenance.backupNow')}
            </Button>
          )
        }
      >
        {backups.isError && <ErrorAlert error={backups.error} onRetry={() => void backups.refetch()} />}
        {backups.data && (
          <Typography.Paragraph type="secondary">
            {t('maintenance.folder', { folder: backups.data.folder })}
            <br />
            {t('maintenance.scheduleHint')}
          </Typography.Paragraph>
        )}
        <Table<BackupInfo>
          rowKey="name"
          size="small"
          pagination={false}
          loading={backups.isPending}
          dataSource={backups.data?.items ?? []}
          columns={[
            { title: t('maintenance.name'), dataIndex: 'name' },
            { title: t('maintenance.createdAt'), dataIndex: 'createdAt', render: (at: string) => dayjs(at).format('L LTS') },
            { title: t('maintenance.size'), dataIndex: 'bytes', render: sizeText },
            { title: t('maintenance.keyCheck'), dataIndex: 'keyCheckValue', render: (kcv: string | null) => <Typography.Text code>{kcv ?? '—'}</Typography.Text> },
            {
              title: t('maintenance.verified'),
              key: 'verified',
              render: (_: unknown, row) =>
                row.keyCheckValue !== null && row.keyCheckValue !== runningKey ? <Tag color="red">{t('maintenance.otherKey')}</Tag> : <Tag color="green">{t('maintenance.verifiedYes')}</Tag>,
            },
            {
              title: '',
              key: 'actions',
              render: (_: unknown, row) =>
                !readOnly && (
                  <Space>
                    <Button size="small" icon={<CloudDownloadOutlined />} onClick={() => void download(row.name)}>
                      {t('maintenance.download')}
                    </Button>
                    <Button size="small" danger onClick={() => setRestoring(row)} data-testid={`restore-${row.name}`}>
                      {t('maintenance.restore')}
                    </Button>
                  </Space>
                ),
            },
          ]}
        />
        <Modal
          open={restoring !== null}
          title={restoring && t('maintenance.restoreTitle', { name: restoring.name })}
          okText={t('maintenance.restore')}
          okButtonProps={{ danger: true }}
          cancelText={t('common.cancel')}
          onCancel={() => setRestoring(null)}
          onOk={() => restoring && void restore(restoring)}
        >
          {restoring && t('maintenance.restoreBody', { name: restoring.name })}
        </Modal>
      </Card>
      {!readOnly && <ConfigTransferCard />}
    </Space>
  );
}

function ConfigTransferCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const [passphrase, setPassphrase] = useState('');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [pending, setPending] = useState<{ file: unknown; preview: ConfigImportResult } | null>(null);
  const passphraseOk = configPassphraseSchema.safeParse(passphrase).success;
  const changes = (c: ConfigChanges) => t('maintenance.changes', { created: c.created, updated: c.updated });

  const exportConfig = async () => {
    try {
      const file = await api.post<{ exportedAt: string }>('/api/admin/config/export', { passphrase, includeSecrets });
      saveBlob(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }), `cas-config-${file.exportedAt.slice(0, 10)}.json`);
      void message.success(t('maintenance.exported'));
    } catch (error) {
      toast(error);
    }
  };
  const preview = async (upload: File) => {
    try {
      const file: unknown = JSON.parse(await upload.text());
      setPending({ file, preview: await api.post<ConfigImportResult>('/api/admin/config/import', { file, passphrase, dryRun: true }) });
    } catch (error) {
      toast(error);
    }
  };
  const commit = async () => {
    if (!pending) return;
    try {
      await api.post<ConfigImportResult>('/api/admin/config/import', { file: pending.file, passphrase, dryRun: false });
      setPending(null);
      void message.success(t('maintenance.imported'));
      await queryClient.invalidateQueries();
    } catch (error) {
      toast(error);
    }
  };

  return (
    <Card size="small" title={t('maintenance.config')}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('maintenance.configHint')}</Typography.Text>
        <Input.Password aria-label={t('maintenance.passphrase')} placeholder={t('maintenance.passphrase')} value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="new-password" />
        <Checkbox checked={includeSecrets} onChange={(e) => setIncludeSecrets(e.target.checked)}>
          {t('maintenance.includeSecrets')}
        </Checkbox>
        <Space>
          <Button disabled={!passphraseOk} onClick={() => void exportConfig()} data-testid="config-export">
            {t('maintenance.export')}
          </Button>
          <Upload accept="application/json,.json" showUploadList={false} disabled={!passphraseOk} beforeUpload={(file) => (void preview(file), false)}>
            <Button icon={<UploadOutlined />} disabled={!passphraseOk}>
              {t('maintenance.importFile')}
            </Button>
          </Upload>
        </Space>
        {pending && (
          <Alert
            type="info"
            showIcon
            title={t('maintenance.importPreview', {
              packages: changes(pending.preview.packages),
              channels: changes(pending.preview.channels),
              accounts: changes(pending.preview.accounts),
              settings: pending.preview.settings.length,
            })}
            action={
              <Button type="primary" onClick={() => void commit()} data-testid="config-commit">
                {t('maintenance.importNow')}
              </Button>
            }
          />
        )}
      </Space>
    </Card>
  );
}

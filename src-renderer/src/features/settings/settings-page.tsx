import { Card, Skeleton, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { desktopBridgeIn } from '../../../../src-shared/desktop-bridge';
import { useSettings } from './settings-queries';
import { useCanWrite } from '../auth/auth-context';
import { ErrorAlert } from '../../shared/components/feedback';
import { LanguageSwitch } from '../../shared/components/language-switch';
import { ApiKeysCard } from './api-keys-card';
import { DesktopCard } from './desktop-card';
import { IpListsCard } from './ip-lists-card';
import { OperatorsCard } from './operators-card';
import { SecretsCard } from './secrets-card';
import { SettingsForm } from './settings-form';
import { PublicUrlCard } from '../links/public-url-card';
import { MaintenanceCard } from '../maintenance/maintenance-card';

export function SettingsPage() {
  const { t } = useTranslation();
  const canWrite = useCanWrite();
  const settings = useSettings();
  const inDesktop = desktopBridgeIn(globalThis) !== null;
  return (
    <Card title={t('nav.settings')}>
      {settings.isError && <ErrorAlert error={settings.error} onRetry={() => void settings.refetch()} />}
      {settings.isPending && <Skeleton active />}
      {settings.data && (
        <Tabs
          items={[
            {
              key: 'general',
              label: t('settings.general'),
              children: (
                <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
                  <PublicUrlCard view={settings.data} readOnly={!canWrite} />
                  <SettingsForm view={settings.data} readOnly={!canWrite} />
                </Space>
              ),
            },
            {
              key: 'access',
              label: t('settings.access'),
              children: (
                <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
                  <SecretsCard view={settings.data} readOnly={!canWrite} />
                  <IpListsCard readOnly={!canWrite} />
                </Space>
              ),
            },
            { key: 'api-keys', label: t('apiKeys.title'), children: <ApiKeysCard readOnly={!canWrite} /> },
            { key: 'operators', label: t('operators.title'), children: <OperatorsCard readOnly={!canWrite} /> },
            { key: 'maintenance', label: t('maintenance.title'), children: <MaintenanceCard readOnly={!canWrite} /> },
            {
              key: 'language',
              label: t('common.language'),
              children: (
                <Space orientation="vertical">
                  <Typography.Text>{t('settings.languageHint')}</Typography.Text>
                  <LanguageSwitch />
                </Space>
              ),
            },
            ...(inDesktop ? [{ key: 'desktop', label: t('desktop.title'), children: <DesktopCard /> }] : []),
          ]}
        />
      )}
    </Card>
  );
}

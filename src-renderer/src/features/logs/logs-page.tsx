import { Card, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { AuditLog } from './audit-log';
import { AccessLog } from './access-log';
import { ServerLog } from './server-log';
import { useCanWrite } from '../auth/auth-context';

export function LogsPage() {
  const { t } = useTranslation();
  // The server log names viewers and addresses: administrators only (the API refuses observers too).
  const isAdmin = useCanWrite();
  return (
    <Card title={t('nav.logs')}>
      <Tabs
        items={[
          { key: 'audit', label: t('logs.audit'), children: <AuditLog /> },
          { key: 'access', label: t('logs.access'), children: <AccessLog /> },
          ...(isAdmin ? [{ key: 'server', label: t('operatorLogs.serverLog'), children: <ServerLog /> }] : []),
        ]}
      />
    </Card>
  );
}

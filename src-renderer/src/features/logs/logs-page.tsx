import { Card, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { AuditLog } from './audit-log';
import { AccessLog } from './access-log';

export function LogsPage() {
  const { t } = useTranslation();
  return (
    <Card title={t('nav.logs')}>
      <Tabs
        items={[
          { key: 'audit', label: t('logs.audit'), children: <AuditLog /> },
          { key: 'access', label: t('logs.access'), children: <AccessLog /> },
        ]}
      />
    </Card>
  );
}

import { Card, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { AuditLog } from './audit-log';
import { AccessLog } from './access-log';
import { ServerLog } from './server-log';
import { useCanWrite } from '../auth/auth-context';

export function LogsPage() {
  const { t } = useTranslation();
  // The server log names viewers and addresses: administrators only (the API refuses observers too).
  const isAdmin = useCanWrite();
  // The open tab lives in the URL with the lists' filters, so reload and back return to it.
  const [params, setParams] = useSearchParams();
  const tabs = isAdmin ? ['audit', 'access', 'server'] : ['audit', 'access'];
  const asked = params.get('tab') ?? 'audit';
  return (
    <Card title={t('nav.logs')}>
      <Tabs
        activeKey={tabs.includes(asked) ? asked : 'audit'}
        onChange={(tab) =>
          setParams((current) => {
            const next = new URLSearchParams(current);
            if (tab === 'audit') next.delete('tab');
            else next.set('tab', tab);
            return next;
          })
        }
        items={[
          { key: 'audit', label: t('logs.audit'), children: <AuditLog /> },
          { key: 'access', label: t('logs.access'), children: <AccessLog /> },
          ...(isAdmin ? [{ key: 'server', label: t('operatorLogs.serverLog'), children: <ServerLog /> }] : []),
        ]}
      />
    </Card>
  );
}

import { Button, Tooltip } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** The refresh control of a list: asks the server again now, spinning while it does. */
export function RefreshButton({ onRefresh, fetching }: { onRefresh: () => void; fetching: boolean }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t('finding.refresh')}>
      <Button icon={<ReloadOutlined spin={fetching} />} onClick={onRefresh} aria-label={t('finding.refresh')} data-testid="list-refresh" />
    </Tooltip>
  );
}

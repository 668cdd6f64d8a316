import type { ReactNode } from 'react';
import { Typography } from 'antd';
import { i18n } from '../../shared/i18n/i18n';

/** Names shown in a confirmation before the rest are counted. */
const NAMES_SHOWN = 20;

/** The accounts a destructive bulk action would hit, by name, so nobody confirms a bare number. */
export function BulkTargets({ usernames }: { usernames: readonly string[] }): ReactNode {
  const shown = usernames.slice(0, NAMES_SHOWN);
  return (
    <div data-testid="bulk-targets">
      <Typography.Paragraph>{i18n.t('accounts.bulkAffected')}</Typography.Paragraph>
      <ul className="bulk-targets">
        {shown.map((name) => (
          <li key={name}>
            <Typography.Text code>{name}</Typography.Text>
          </li>
        ))}
      </ul>
      {usernames.length > shown.length && <Typography.Text type="secondary">{i18n.t('accounts.bulkMore', { count: usernames.length - shown.length })}</Typography.Text>}
    </div>
  );
}

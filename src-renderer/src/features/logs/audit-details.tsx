import { Button, Space, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import Papa from 'papaparse';
import type { AuditChange, AuditEntry, AuditSubjects } from '../../../../src-shared/schemas/audit';
import { api, saveBlob } from '../../shared/api/client';
import { useErrorToast } from '../../shared/components/feedback';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The label of an audited field: the audit's own, a setting's, or the field name itself. */
function useFieldLabel(): (field: string) => string {
  const { t } = useTranslation();
  return (field) =>
    t(`operatorLogs.fields.${field}` as 'operatorLogs.fields.name', { defaultValue: t(`settingsFields.${field}` as 'settingsFields.timeZone', { defaultValue: field }) });
}

const SECRET_STATES = ['set', 'none', 'generated', 'typed'] as const;
type SecretState = (typeof SECRET_STATES)[number];

/** A value of a diff as the operator reads it: dates in the app's format, lists joined, nothing as "(empty)". */
function useValueText(): (value: unknown) => string {
  const { t } = useTranslation();
  const text = (value: unknown): string => {
    if (value === null || value === undefined || value === '') return t('operatorLogs.empty');
    if (Array.isArray(value)) return value.length ? value.map(text).join(', ') : t('operatorLogs.empty');
    if (typeof value === 'boolean') return value ? '✓' : '✗';
    if (typeof value === 'string' && ISO_INSTANT.test(value)) return dayjs(value).format('L LTS');
    if (typeof value === 'number') return String(value);
    // Words the server writes for how a secret was given (`password: set`, `token: generated`), in the operator's language.
    if (typeof value === 'string' && (SECRET_STATES as readonly string[]).includes(value)) return t(`operatorLogs.secretStates.${value as SecretState}`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  };
  return text;
}

function ChangeLine({ change }: { change: AuditChange }) {
  const { t } = useTranslation();
  const label = useFieldLabel();
  const text = useValueText();
  return (
    <div data-testid={`audit-change-${change.field}`}>
      <Typography.Text strong>{label(change.field)}</Typography.Text>
      {': '}
      {'secret' in change ? (
        <Typography.Text type="warning">{t('operatorLogs.secretChanged')}</Typography.Text>
      ) : (
        <>
          <Typography.Text delete type="secondary">{text(change.before)}</Typography.Text>
          {' → '}
          <Typography.Text>{text(change.after)}</Typography.Text>
        </>
      )}
    </div>
  );
}

/** Downloads every username of a bulk action or import as a one-column CSV. */
function SubjectsDownload({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const toast = useErrorToast();
  const download = async () => {
    try {
      const answer = await api.get<AuditSubjects>(`/api/admin/audit/${entry.id}/subjects`);
      const csv = Papa.unparse({ fields: ['username'], data: answer.subjects.map((s) => [s]) }, { newline: '\r\n', escapeFormulae: true });
      saveBlob(new Blob([`\uFEFF${csv}\r\n`], { type: 'text/csv;charset=utf-8' }), `audit-${entry.id}-${entry.action}.csv`);
    } catch (error) {
      toast(error);
    }
  };
  return (
    <Button size="small" icon={<DownloadOutlined />} onClick={() => void download()} data-testid={`audit-subjects-${entry.id}`}>
      {t('operatorLogs.downloadSubjects')}
    </Button>
  );
}

/** What an entry did: its field-by-field changes, the accounts of a bulk action, or its facts. */
export function AuditDetails({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const label = useFieldLabel();
  const text = useValueText();
  const facts = Object.entries(entry.summary);
  return (
    <Space orientation="vertical" size={2}>
      {entry.changes.map((change) => (
        <ChangeLine key={change.field} change={change} />
      ))}
      {entry.subjectCount > 0 && (
        <div>
          <Typography.Text strong>{t('operatorLogs.accounts', { count: entry.subjectCount })}</Typography.Text>
          {': '}
          {entry.subjectsPreview.join(', ')}
          {entry.subjectCount > entry.subjectsPreview.length && ` ${t('operatorLogs.andMore', { count: entry.subjectCount - entry.subjectsPreview.length })}`}
          <div>
            <SubjectsDownload entry={entry} />
          </div>
        </div>
      )}
      {facts.length > 0 && (
        <Typography.Text type="secondary">{facts.map(([key, value]) => `${label(key)}: ${text(value)}`).join(' · ')}</Typography.Text>
      )}
    </Space>
  );
}

import { useState } from 'react';
import { Alert, App, Button, Modal, Space, Table, Tag, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { accountCsvImportColumns, type AccountCsvImportResult, type AccountCsvRowResult } from '../../../../src-shared/schemas/account-csv';
import { api } from '../../shared/api/client';
import { accountsKey } from './account-queries';
import { errorText } from '../../shared/components/feedback';
import { problemText } from '../../shared/i18n/error-text';

interface Props {
  open: boolean;
  onClose: () => void;
}

/** CSV import: choose a file, see every row checked (nothing written yet), then import. */
export function CsvImportModal({ open, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [preview, setPreview] = useState<AccountCsvImportResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reset = () => {
    setFile(null);
    setPreview(null);
    setProblem(null);
  };
  const close = () => {
    reset();
    onClose();
  };

  const check = async (name: string, text: string) => {
    setFile({ name, text });
    setProblem(null);
    setBusy(true);
    try {
      setPreview(await api.post<AccountCsvImportResult>('/api/admin/accounts/import', { csv: text, dryRun: true }));
    } catch (error) {
      setPreview(null);
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const commit = async () => {
    if (!file || !preview) return;
    setBusy(true);
    try {
      const result = await api.post<AccountCsvImportResult>('/api/admin/accounts/import', {
        csv: file.text,
        dryRun: false,
        skipInvalid: preview.invalid > 0,
      });
      void message.success(t('csv.imported', { count: result.created }));
      await queryClient.invalidateQueries({ queryKey: accountsKey });
      close();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const rows = preview ? [...preview.rows].sort((a, b) => Number(a.ok) - Number(b.ok) || a.line - b.line) : [];
  const canImport = !!preview && preview.fileErrors.length === 0 && preview.valid > 0;
  return (
    <Modal
      open={open}
      title={t('csv.importTitle')}
      onCancel={close}
      width={760}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={close}>{t('common.cancel')}</Button>
          {preview && <Button onClick={reset}>{t('csv.otherFile')}</Button>}
          <Button type="primary" disabled={!canImport} loading={busy && !!preview} onClick={() => void commit()} data-testid="csv-commit">
            {preview && preview.invalid > 0
              ? t('csv.importValidSkip', { count: preview.valid, invalid: preview.invalid })
              : t('csv.importRows', { count: preview?.valid ?? 0 })}
          </Button>
        </Space>
      }
    >
      {!preview && (
        <>
          <Upload.Dragger
            accept=".csv,text/csv"
            multiple={false}
            showUploadList={false}
            disabled={busy}
            beforeUpload={(chosen) => {
              void chosen.text().then((text) => check(chosen.name, text));
              return false;
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('csv.dropHere')}</p>
            <p className="ant-upload-hint">{t('csv.columns', { columns: accountCsvImportColumns.join(', ') })}</p>
          </Upload.Dragger>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
            {t('csv.formatHint')}
          </Typography.Paragraph>
        </>
      )}
      {problem && <Alert type="error" showIcon role="alert" title={problem} className="form-alert" />}
      {preview && (
        <>
          <Typography.Paragraph>
            <strong>{file?.name}</strong>: {t('csv.summary', { total: preview.total, valid: preview.valid, invalid: preview.invalid })}
          </Typography.Paragraph>
          {preview.fileErrors.map((fileError) => (
            <Alert key={fileError.code} type="error" showIcon title={problemText(fileError)} className="form-alert" />
          ))}
          <Table<AccountCsvRowResult>
            size="small"
            rowKey="line"
            dataSource={rows}
            pagination={{ pageSize: 8, hideOnSinglePage: true }}
            data-testid="csv-preview"
            columns={[
              { title: t('csv.line'), dataIndex: 'line', width: 70 },
              { title: t('accounts.username'), dataIndex: 'username' },
              {
                title: t('accounts.status'),
                dataIndex: 'ok',
                width: 100,
                render: (ok: boolean) => (ok ? <Tag color="green">{t('csv.ok')}</Tag> : <Tag color="red">{t('csv.error')}</Tag>),
              },
              {
                title: t('csv.problems'),
                key: 'errors',
                render: (_, row) =>
                  row.errors.map((e, i) => (
                    <div key={i}>
                      {e.field && <Typography.Text code>{e.field}</Typography.Text>} {problemText(e)}
                    </div>
                  )),
              },
            ]}
          />
        </>
      )}
    </Modal>
  );
}

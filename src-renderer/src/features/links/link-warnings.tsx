import { Alert, App, Button, Popconfirm, Space, Tag, Tooltip, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelWarning, LinksHealth, SigningSecretSetting } from '../../../../src-shared/schemas/links';
import { api } from '../../shared/api/client';
import { useErrorToast } from '../../shared/components/feedback';
import { randomSecret } from '../settings/secrets-card';
import { settingsKey } from '../settings/settings-queries';
import { channelsKey } from '../channels/channel-queries';
import { useCanWrite } from '../auth/auth-context';
import { useLinksHealth } from './links-queries';

/** A channel warning in the operator's language, from its code and parameters. */
export function useWarningText(): (warning: ChannelWarning) => string {
  const { t } = useTranslation();
  return (w) => t(`links.broken.${w.code}`, { scheme: t(`channels.signing.${w.params.scheme}`), setting: w.params.setting });
}

/** While no public address is set: what links use instead, and the way to set one. */
export function PublicUrlWarning({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const status = useLinksHealth().data?.publicBaseUrl;
  if (!status || status.source === 'setting') return null;
  if (compact) {
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="public-url-warning"
        style={{ marginTop: 8 }}
        title={t('links.notSetShort', { url: status.effective })}
        description={<Button size="small" onClick={() => void navigate('/settings')}>{t('links.openSettings')}</Button>}
      />
    );
  }
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="public-url-warning"
      style={{ marginBottom: 16 }}
      title={t('links.notSet', { url: status.effective, source: t(`links.source.${status.source}`) })}
      description={t('links.notSetHint')}
      action={<Button onClick={() => void navigate('/settings')}>{t('links.openSettings')}</Button>}
    />
  );
}

/**
 * The one-click fix of a missing signing secret: a random one is set and shown once, with where
 * the streaming server needs the same value (it refuses every viewer until it has it).
 */
export function GenerateSecretButton({ setting }: { setting: SigningSecretSetting }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const toast = useErrorToast();
  const queryClient = useQueryClient();
  const generate = async () => {
    const value = randomSecret();
    try {
      await api.patch('/api/admin/settings', { [setting]: value });
    } catch (error) {
      toast(error);
      return;
    }
    void message.success(t('secrets.rotated'));
    // Shown from the app's root: the lists refresh after the change, and this button goes with its fixed channel.
    modal.info({
      title: t('links.broken.generated', { setting }),
      width: 560,
      content: (
        <>
          <Typography.Paragraph copyable code data-testid="generated-secret">
            {value}
          </Typography.Paragraph>
          <Alert type="info" showIcon title={t(`links.broken.copyTo.${setting}`)} />
        </>
      ),
      onOk: () => {
        void queryClient.invalidateQueries({ queryKey: settingsKey });
        void queryClient.invalidateQueries({ queryKey: channelsKey });
      },
    });
  };
  return (
    <Popconfirm title={t('links.broken.confirmGenerate', { setting })} okText={t('links.broken.generate', { setting })} cancelText={t('common.cancel')} onConfirm={() => void generate()}>
      <Button size="small" data-testid={`generate-${setting}`}>
        {t('links.broken.generate', { setting })}
      </Button>
    </Popconfirm>
  );
}

/** The badge of a channel whose links will not play, with the reason and (for writers) the fix. */
export function ChannelProblemTag({ warnings }: { warnings: ChannelWarning[] }) {
  const { t } = useTranslation();
  const text = useWarningText();
  const canWrite = useCanWrite();
  if (warnings.length === 0) return null;
  return (
    <Space size={4} wrap>
      <Tooltip title={warnings.map(text).join(' ')}>
        <Tag color="red" data-testid="channel-problem">
          {t('links.broken.tag')}
        </Tag>
      </Tooltip>
      {canWrite && warnings.map((w) => <GenerateSecretButton key={w.params.setting} setting={w.params.setting} />)}
    </Space>
  );
}

/** Channels whose links will not play (all, or those of some packages), each with its reason and fix. */
export function BrokenChannelsAlert({ packages, title }: { packages?: readonly string[]; title: 'title' | 'accountTitle' }) {
  const { t } = useTranslation();
  const text = useWarningText();
  const canWrite = useCanWrite();
  const health: LinksHealth | undefined = useLinksHealth().data;
  const broken = (health?.brokenChannels ?? []).filter((c) => !packages || c.packages.some((p) => packages.includes(p)));
  if (broken.length === 0) return null;
  const settings = [...new Set(broken.flatMap((c) => c.warnings.map((w) => w.params.setting)))];
  return (
    <Alert
      type="error"
      showIcon
      data-testid="broken-channels"
      style={{ marginBottom: 16 }}
      title={t(`links.broken.${title}`, { count: broken.length })}
      description={
        <Space orientation="vertical" size={4}>
          {broken.map((c) => (
            <span key={c.id}>
              <Typography.Text strong>{c.name}</Typography.Text> — {c.warnings.map(text).join(' ')}
            </span>
          ))}
          {canWrite && (
            <Space wrap>
              {settings.map((s) => (
                <GenerateSecretButton key={s} setting={s} />
              ))}
            </Space>
          )}
        </Space>
      }
    />
  );
}

import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Select, Space, Typography } from 'antd';
import { PlayCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import Hls from 'hls.js';
import type { Account } from '../../../../src-shared/schemas/accounts';
import type { Page } from '../../../../src-shared/schemas/common';
import { api } from '../../shared/api/client';
import { accountsKey } from '../accounts/account-queries';
import { playDash } from './dash-preview';

/** How the channel's origin packages it: HLS (AES-128, `index.m3u8`) or DASH (CENC, `manifest.mpd`). */
export type PreviewFormat = 'hls' | 'dash';

/** Where the CAS serves a channel's protected stream for one viewer (`/hls` or `/dash` rewriter). */
export function previewUrlOf(apiUrl: string, channelId: string, token: string, format: PreviewFormat = 'hls'): string {
  const manifest = format === 'hls' ? 'hls/{id}/index.m3u8' : 'dash/{id}/manifest.mpd';
  return `${apiUrl.replace(/\/$/, '')}/${manifest.replace('{id}', encodeURIComponent(channelId))}?token=${encodeURIComponent(token)}`;
}

/** The period a key URI of the CAS names (`/keys/<channel>/<period>?ticket=…`), for the event list. */
export function keyPeriodOf(keyUri: string): string {
  return keyUri.split('?')[0].split('/').pop() ?? '';
}

/**
 * Plays a channel through the CAS as a chosen account would (playlist, keys and tokens all go
 * through the client listener), so the operator sees at once whether keys and tokens work.
 */
export function PreviewPlayer({ channelId, apiUrl }: { channelId: string; apiUrl: string | null }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [search, setSearch] = useState('');
  const [accountId, setAccountId] = useState<number | undefined>();
  const [state, setState] = useState<{ kind: 'idle' | 'loading' | 'playing' | 'error'; text?: string }>({ kind: 'idle' });
  const [events, setEvents] = useState<string[]>([]);
  const [format, setFormat] = useState<PreviewFormat>('hls');
  const hlsRef = useRef<Hls | null>(null);
  const shakaRef = useRef<{ destroy(): Promise<void> } | null>(null);
  const accounts = useQuery({
    queryKey: [...accountsKey, 'preview-search', search],
    queryFn: () => api.get<Page<Account>>('/api/admin/accounts', { q: search || undefined, pageSize: 20, status: 'active' }),
  });

  useEffect(
    () => () => {
      hlsRef.current?.destroy();
      void shakaRef.current?.destroy();
    },
    [],
  );

  const play = () => {
    const account = accounts.data?.items.find((a) => a.id === accountId);
    if (!account?.token || !apiUrl || !video.current) return;
    hlsRef.current?.destroy();
    hlsRef.current = null;
    void shakaRef.current?.destroy();
    shakaRef.current = null;
    setEvents([]);
    // hls.js reports a key for every segment it decrypts: list each event once in a row.
    const note = (text: string) => setEvents((list) => (list.at(-1) === text ? list : [...list.slice(-7), text]));
    const url = previewUrlOf(apiUrl, channelId, account.token, format);
    setState({ kind: 'loading' });
    if (format === 'dash') {
      const target = video.current;
      void playDash(target, url, {
        manifest: () => note(t('player.manifest')),
        license: (keys) => note(t('player.licenseLoaded', { count: keys })),
        playing: () => setState({ kind: 'playing' }),
        failed: (text) => {
          note(text);
          setState({ kind: 'error', text });
        },
      }).then((player) => {
        shakaRef.current = player;
      });
      return;
    }
    if (!Hls.isSupported()) {
      video.current.src = url;
      void video.current.play().catch((error: Error) => setState({ kind: 'error', text: error.message }));
      return;
    }
    const hls = new Hls({ enableWorker: false, manifestLoadingMaxRetry: 0 });
    hlsRef.current = hls;
    hls.on(Hls.Events.MANIFEST_PARSED, () => note(t('player.manifest')));
    hls.on(Hls.Events.KEY_LOADED, (_event, data) => note(t('player.keyLoaded', { period: keyPeriodOf(data.keyInfo.decryptdata.uri) })));
    hls.on(Hls.Events.FRAG_DECRYPTED, () => note(t('player.decrypted')));
    hls.on(Hls.Events.FRAG_BUFFERED, () => setState({ kind: 'playing' }));
    hls.on(Hls.Events.ERROR, (_event, data) => {
      const status = (data.response as { code?: number } | undefined)?.code;
      note(`${data.details}${status ? ` (HTTP ${status})` : ''}`);
      // Without an HTTP status (an exception in the player, a decryption failure) the error says what broke.
      const reason = status ? `HTTP ${status}` : data.error?.message;
      if (data.fatal) setState({ kind: 'error', text: `${data.details}${reason ? ` — ${reason}` : ''}` });
    });
    hls.loadSource(url);
    hls.attachMedia(video.current);
    video.current.muted = true;
    void video.current.play().catch(() => undefined);
  };

  return (
    <div className="preview-player">
      <Space wrap>
        <Select
          style={{ width: 110 }}
          value={format}
          onChange={setFormat}
          options={[
            { value: 'hls', label: 'HLS' },
            { value: 'dash', label: 'DASH' },
          ]}
          aria-label={t('player.format')}
          data-testid="preview-format"
        />
        <Select
          showSearch={{ filterOption: false, onSearch: setSearch }}
          style={{ width: 260 }}
          placeholder={t('player.chooseAccount')}
          value={accountId}
          onChange={setAccountId}
          options={(accounts.data?.items ?? []).map((a) => ({ value: a.id, label: a.username }))}
          aria-label={t('player.chooseAccount')}
        />
        <Button icon={<PlayCircleOutlined />} onClick={play} disabled={!accountId || !apiUrl} data-testid="preview-play">
          {t('player.play')}
        </Button>
      </Space>
      <video ref={video} className="preview-video" controls muted playsInline data-testid="preview-video" />
      {state.kind === 'playing' && <Alert type="success" showIcon title={t('player.works')} />}
      {state.kind === 'error' && <Alert type="error" showIcon title={t('player.failed')} description={state.text} />}
      {events.length > 0 && (
        <Typography.Paragraph type="secondary" className="player-events">
          {events.join(' · ')}
        </Typography.Paragraph>
      )}
    </div>
  );
}

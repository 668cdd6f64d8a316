import { randomBytes } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import type { Diagnostics } from '../kernel/diagnostics';
import { allChannelRows } from '../channels/channel-queries';
import { ConflictError, NotFoundError } from '../../src-shared/errors';
import { readOriginPlaylist } from './hls-origin';
import { rewritePlaylist, type HlsUriKind } from './playlist-rewriter';

/** What a viewer-specific part of a rewritten playlist is filled with. */
export type PlaylistSlot = { kind: 'playlist-ticket' } | { kind: 'media-ticket' } | { kind: 'key-ticket'; channelId: string } | { kind: 'edge'; url: URL };

/** Where the rewriter puts a child URI: unchanged text, or text with slots filled per viewer. */
export type SlotRewrite = (uri: string, kind: HlsUriKind, playlistUrl: URL, slot: (s: PlaylistSlot) => string) => string;

/** A playlist rewritten once for every viewer: literal text with the viewer's slots between. */
export interface PlaylistTemplate {
  /** The playlist's own URL at the origin (after redirects). */
  url: URL;
  parts: ReadonlyArray<string | PlaylistSlot>;
}

/** How long an origin playlist is reused without a target duration (master playlists). */
const REUSE_WITHOUT_TARGET_MS = 1000;
/** Distinct playlists kept; more are dropped wholesale (they read again). */
const MAX_PLAYLISTS = 2000;

/** Half the playlist's target duration: a live origin changes at most once per segment. */
function reuseMsOf(text: string): number {
  const target = /^#EXT-X-TARGETDURATION:(\d{1,5})\s*$/m.exec(text);
  return target ? Math.min(Number(target[1]) * 500, 10_000) : REUSE_WITHOUT_TARGET_MS;
}

/**
 * Rewrites an origin playlist once into a template: every slot the rewriter asks for becomes a
 * marker no origin text can contain (random per template), split out afterwards.
 */
function compile(text: string, url: URL, rewrite: SlotRewrite): PlaylistTemplate {
  const marker = `\u0000${randomBytes(12).toString('hex')}\u0000`;
  const slots: PlaylistSlot[] = [];
  const rewritten = rewritePlaylist(text, (uri, kind) =>
    rewrite(uri, kind, url, (slot) => {
      slots.push(slot);
      return `${marker}${slots.length - 1}${marker}`;
    }),
  );
  const parts = rewritten.split(marker).map((piece, i) => (i % 2 === 0 ? piece : slots[Number(piece)]));
  return { url, parts };
}

/**
 * The origin playlists of `/hls/...`, read once for all viewers of a channel: concurrent requests
 * share one fetch, and its rewritten template is reused for half the playlist's target duration
 * (origin freshness only: every viewer's access is still decided per request). Channel origins
 * are read from memory. Everything is forgotten on `channels-changed`; failures are never kept.
 */
export class OriginPlaylists {
  #origins: Map<string, string | null> | null = null;
  readonly #playlists = new Map<string, { template: Promise<PlaylistTemplate & { reuseMs: number }>; readAt: number; freshUntil: number }>();

  constructor(
    private readonly ctx: CasContext,
    private readonly diagnostics: Diagnostics,
  ) {
    ctx.events.on('channels-changed', () => {
      this.#origins = null;
      this.#playlists.clear();
    });
  }

  /** The channel's HLS origin (404 for an unknown channel, 409 when it has none). */
  originOf(channelId: string): string {
    this.#origins ??= new Map(allChannelRows(this.ctx.db).map((row) => [row.id, row.hls_origin]));
    const origin = this.#origins.get(channelId);
    if (origin === undefined) throw new NotFoundError('channel_not_found', { id: channelId }, `Channel "${channelId}" not found`);
    if (!origin) throw new ConflictError('channel_has_no_hls_origin', { channelId }, `Channel "${channelId}" has no HLS origin`, 'hlsOrigin');
    return origin;
  }

  /** The playlist at `path` of the channel's origin, rewritten by `rewrite` into a template. */
  template(channelId: string, path: string, rewrite: SlotRewrite): Promise<PlaylistTemplate> {
    const origin = this.originOf(channelId);
    const key = `${channelId}\n${path}`;
    const now = this.ctx.clock.now();
    const held = this.#playlists.get(key);
    if (held && held.readAt <= now && now < held.freshUntil) return held.template;
    if (this.#playlists.size >= MAX_PLAYLISTS) this.#playlists.clear();
    const entry = { template: this.#read(origin, path, rewrite), readAt: now, freshUntil: Number.POSITIVE_INFINITY };
    this.#playlists.set(key, entry);
    entry.template.then(
      (template) => {
        if (this.#playlists.get(key) === entry) entry.freshUntil = now + template.reuseMs;
      },
      () => {
        if (this.#playlists.get(key) === entry) this.#playlists.delete(key);
      },
    );
    return entry.template;
  }

  async #read(origin: string, path: string, rewrite: SlotRewrite): Promise<PlaylistTemplate & { reuseMs: number }> {
    this.diagnostics.count('originFetches');
    const { text, url } = await readOriginPlaylist(origin, path, this.ctx.settings.get().hlsOriginTimeoutSeconds * 1000);
    if (!text.trimStart().startsWith('#EXTM3U')) throw new NotFoundError('playlist_not_found', {}, 'Playlist not found');
    return { ...compile(text, url, rewrite), reuseMs: reuseMsOf(text) };
  }
}

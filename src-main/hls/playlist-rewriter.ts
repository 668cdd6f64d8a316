/**
 * Rewrites an HLS playlist (master or media) for one viewer: every child URI — variant
 * playlists, renditions, segments, init sections, parts, and EXT-X-KEY / EXT-X-SESSION-KEY —
 * goes through a callback that says what the viewer's player should fetch instead. Comments,
 * tags and attribute order are kept; only URIs change. Pure text processing.
 */

/** What a child URI is, as the rewriter classifies it from where it appears. */
export type HlsUriKind = 'playlist' | 'segment' | 'key';

type UriRewriter = (uri: string, kind: HlsUriKind) => string;

/** Tags whose URI attribute names a playlist. */
const PLAYLIST_URI_TAGS = new Set(['#EXT-X-MEDIA', '#EXT-X-I-FRAME-STREAM-INF', '#EXT-X-RENDITION-REPORT']);
/** Tags whose URI attribute names media (segments, init sections, parts). */
const SEGMENT_URI_TAGS = new Set(['#EXT-X-MAP', '#EXT-X-PART', '#EXT-X-PRELOAD-HINT']);
const KEY_URI_TAGS = new Set(['#EXT-X-KEY', '#EXT-X-SESSION-KEY']);

function rewriteUriAttribute(line: string, kind: HlsUriKind, rewrite: UriRewriter): string {
  return line.replace(/(^|[:,])URI="([^"]*)"/, (_all, lead: string, uri: string) => `${lead}URI="${rewrite(uri, kind)}"`);
}

export function rewritePlaylist(text: string, rewrite: UriRewriter): string {
  const lines = text.split(/\r?\n/);
  let nextUriIsPlaylist = false;
  const out = lines.map((raw) => {
    const line = raw.trim();
    if (line === '') return raw;
    if (line.startsWith('#')) {
      const colon = line.indexOf(':');
      const tag = colon === -1 ? line : line.slice(0, colon);
      if (tag === '#EXT-X-STREAM-INF') nextUriIsPlaylist = true;
      if (KEY_URI_TAGS.has(tag)) {
        // METHOD=NONE carries no URI; SAMPLE-AES and AES-128 both name a key.
        return rewriteUriAttribute(line, 'key', rewrite);
      }
      if (PLAYLIST_URI_TAGS.has(tag)) return rewriteUriAttribute(line, 'playlist', rewrite);
      if (SEGMENT_URI_TAGS.has(tag)) return rewriteUriAttribute(line, 'segment', rewrite);
      return raw;
    }
    const kind: HlsUriKind = nextUriIsPlaylist || /\.m3u8?(\?|$)/i.test(line) ? 'playlist' : 'segment';
    nextUriIsPlaylist = false;
    return rewrite(line, kind);
  });
  return out.join('\n');
}

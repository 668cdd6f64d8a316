import type { ViewerChannel } from '../access/viewer-directory';
import type { UrlSigner } from '../access/url-signing/url-signer';

interface SegmentViewer {
  ip: string;
  accountId: number | null;
}

/** The decoded path of a URL (what edges such as nginx check), or null when it does not decode. */
export function decodedPath(url: URL): string | null {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
}

/**
 * Signs segment URLs on an HTTP origin (the edge) for one viewer with the channel's scheme,
 * using the one URL signer of the CAS (src-main/access/url-signing): nginx secure_link over each
 * segment's own path, Astra/Flussonic securetoken, or a stream ticket (never the account token).
 * Every scheme but secure_link signs the channel, not the URL: that query is made once for all
 * the segments of one playlist answer.
 */
export function segmentUrlSigner(signer: UrlSigner, channel: ViewerChannel, viewer: SegmentViewer): (url: URL) => string {
  const base = (url: URL) => `${url.origin}${url.pathname}`;
  let query: string | null | undefined;
  const channelQuery = (): string | null => {
    switch (channel.urlSigning) {
      case 'nginx-secure-link':
        return null;
      case 'astra-id':
        return `token=${signer.securetoken(channel.id, viewer.ip, { accountId: viewer.accountId })}`;
      case 'astra-path':
        return `token=${signer.securetoken(channel.streamPath, viewer.ip, { accountId: viewer.accountId })}`;
      case 'flussonic':
        if (viewer.accountId === null) return `token=${signer.securetoken(channel.id, viewer.ip, { accountId: null })}`;
        return `token=${signer.securetoken(channel.id, viewer.ip, { userId: String(viewer.accountId) })}&user_id=${viewer.accountId}`;
      case 'token':
        return viewer.accountId === null ? null : `ticket=${signer.streamTicket(channel.id, viewer.accountId, viewer.ip)}`;
    }
  };
  return (url) => {
    if (channel.urlSigning === 'nginx-secure-link') {
      // nginx checks the decoded `$uri`; a path that does not decode is left unsigned.
      const uriPath = decodedPath(url);
      return uriPath === null ? url.href : `${base(url)}?${signer.secureLinkQuery(uriPath, viewer.ip)}`;
    }
    if (query === undefined) query = channelQuery();
    return query === null ? url.href : `${base(url)}?${query}`;
  };
}

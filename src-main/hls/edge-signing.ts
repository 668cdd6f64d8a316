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
 * Signs a segment URL on an HTTP origin (the edge) for one viewer with the channel's scheme,
 * using the one URL signer of the CAS (src-main/access/url-signing): nginx secure_link over the
 * segment's own path, Astra/Flussonic securetoken, or a stream ticket (never the account token).
 */
export function signSegmentUrl(signer: UrlSigner, channel: ViewerChannel, url: URL, viewer: SegmentViewer): string {
  const base = `${url.origin}${url.pathname}`;
  switch (channel.urlSigning) {
    case 'nginx-secure-link': {
      // nginx checks the decoded `$uri`; a path that does not decode is left unsigned.
      const uriPath = decodedPath(url);
      return uriPath === null ? url.href : `${base}?${signer.secureLinkQuery(uriPath, viewer.ip)}`;
    }
    case 'astra-id':
      return `${base}?token=${signer.securetoken(channel.id, viewer.ip, { accountId: viewer.accountId })}`;
    case 'astra-path':
      return `${base}?token=${signer.securetoken(channel.streamPath, viewer.ip, { accountId: viewer.accountId })}`;
    case 'flussonic':
      if (viewer.accountId === null) return `${base}?token=${signer.securetoken(channel.id, viewer.ip, { accountId: null })}`;
      return `${base}?token=${signer.securetoken(channel.id, viewer.ip, { userId: String(viewer.accountId) })}&user_id=${viewer.accountId}`;
    case 'token':
      return viewer.accountId === null ? url.href : `${base}?ticket=${signer.streamTicket(channel.id, viewer.accountId, viewer.ip)}`;
  }
}

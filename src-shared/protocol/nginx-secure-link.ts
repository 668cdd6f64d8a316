/**
 * nginx `secure_link` / `secure_link_md5` as the CAS documents it:
 *
 *   secure_link $arg_md5,$arg_expires;
 *   secure_link_md5 "$secure_link_expires$uri$remote_addr <secret>";
 *
 * nginx hashes that string with MD5 and compares it with `md5`, the binary digest in base64url
 * (`+/` → `-_`) without `=` padding. Valid → 200, wrong → 403, expired → 410. Pure: MD5 is computed in src-main.
 */

/** The exact string nginx hashes: expiry, the decoded URI path (no query), the client address, a space, the secret. */
export function secureLinkMd5Input(expires: number, uriPath: string, remoteAddr: string, secret: string): string {
  return `${expires}${uriPath}${remoteAddr} ${secret}`;
}

/** The query parameters nginx reads (`$arg_md5`, `$arg_expires`). */
export function secureLinkQuery(md5Base64Url: string, expires: number): string {
  return `md5=${md5Base64Url}&expires=${expires}`;
}

/** base64url without padding, as nginx decodes `$arg_md5`. */
export function toBase64UrlNoPad(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

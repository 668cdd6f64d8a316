import { type X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * A self-signed X.509 v3 server certificate (ECDSA P-256, SHA-256) built with node:crypto alone:
 * Node 20 parses certificates (`X509Certificate`) but cannot issue them, so the few DER structures
 * of RFC 5280 a server certificate needs are encoded here. The subject alternative names carry
 * every DNS name and IP address the operator gives; clients trust the certificate itself (curl
 * `--cacert`, nginx `proxy_ssl_trusted_certificate`, ffmpeg `-ca_file`).
 */

// ---- DER ------------------------------------------------------------------------------------

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const octetString = (content: Buffer) => der(0x04, content);
const bitString = (content: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), content]));
const utf8String = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const explicit = (n: number, content: Buffer) => der(0xa0 + n, content);

/** A non-negative DER integer: minimal (no leading zero bytes), with a zero in front of a leading 1 bit (DER integers are signed). */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return der(0x02, minimal[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const value of rest) {
    const groups = [value & 0x7f];
    for (let v = value >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function time(at: Date): Buffer {
  const iso = at.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  // UTCTime (two-digit year) until 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return at.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2), 'ascii')) : der(0x18, Buffer.from(iso, 'ascii'));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head, tail = ''] = address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = address.includes('::') ? [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)] : groups(head);
  return Buffer.concat(all.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

const extension = (id: string, critical: boolean, value: Buffer) => sequence(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), octetString(value));

// ---- the certificate ------------------------------------------------------------------------

export interface SelfSignedCertificate {
  certPem: string;
  keyPem: string;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const DAY_MS = 86_400_000;

/**
 * Issues a certificate for `names` (DNS names and IP addresses; the first is the common name),
 * valid from an hour ago for `validDays`.
 */
export function createSelfSignedCertificate(names: readonly string[], options: { validDays?: number; now?: number } = {}): SelfSignedCertificate {
  if (names.length === 0) throw new Error('A certificate needs at least one name or address');
  const now = options.now ?? Date.now();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = sequence(set(sequence(oid('2.5.4.3'), utf8String(names[0]))));
  const altNames = names.map((name) => (isIP(name) ? der(0x87, ipBytes(name)) : der(0x82, Buffer.from(name.toLowerCase(), 'ascii'))));
  const serial = randomBytes(16);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_WITH_SHA256,
    subject,
    sequence(time(new Date(now - 3_600_000)), time(new Date(now + (options.validDays ?? 825) * DAY_MS))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension('2.5.29.19', true, sequence()),
        // digitalSignature only: an ECDSA server key signs the handshake.
        extension('2.5.29.15', true, bitString(Buffer.from([0x80]))),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
        extension('2.5.29.17', false, sequence(...altNames)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certDer = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The DNS names and IP addresses a certificate is issued for (its subject alternative names). */
export function certificateNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, '').toLowerCase());
}

/** A name as certificates compare it: lower-case DNS names, IP addresses as their bytes. */
function nameKey(name: string): string {
  return isIP(name) ? `ip:${ipBytes(name).toString('hex')}` : `dns:${name.toLowerCase()}`;
}

/** Whether a certificate is issued for exactly these names and addresses. */
export function coversExactly(cert: X509Certificate, names: readonly string[]): boolean {
  const issued = new Set(certificateNames(cert).map(nameKey));
  const wanted = new Set(names.map(nameKey));
  return issued.size === wanted.size && [...wanted].every((n) => issued.has(n));
}

/** Whether a private key (PEM) belongs to a certificate. */
export function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return false;
  }
  return cert.checkPrivateKey(key);
}

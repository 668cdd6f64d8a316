import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import ipaddr from 'ipaddr.js';
import type { Logger } from '../kernel/logger';
import type { TlsSummary } from '../../src-shared/schemas/system';
import { writePrivateFileSync } from '../db/private-files';

/** Where a listener's certificate and private key are (PEM files). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A certificate or key that cannot be used; the message names the file and the fix. */
export class TlsConfigError extends Error {}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TlsConfigError(`Cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
  }
}

function loadPair(files: TlsFiles): { cert: string; key: string; x509: X509Certificate } {
  const cert = readPem(files.certFile, 'certificate');
  const key = readPem(files.keyFile, 'private key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsConfigError(`${files.certFile} holds no PEM certificate`);
  }
  if (!keyMatches(x509, key)) throw new TlsConfigError(`${files.keyFile} is not the private key of the certificate in ${files.certFile}`);
  return { cert, key, x509 };
}

export interface SelfSignedCertificate {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 86_400_000;

/**
 * Issues a self-signed server certificate (ECDSA P-256, SHA-256) for `names` (DNS names and IP
 * addresses, all in its subject alternative names; the first is also the common name), valid
 * from an hour ago for `validDays`. Clients trust the certificate itself (curl `--cacert`, nginx
 * `proxy_ssl_trusted_certificate`, ffmpeg `-ca_file`).
 */
export async function createSelfSignedCertificate(names: readonly string[], options: { validDays?: number; now?: number } = {}): Promise<SelfSignedCertificate> {
  if (names.length === 0) throw new Error('A certificate needs at least one name or address');
  const now = options.now ?? Date.now();
  // Loaded when a certificate is made (rarely): its X.509 library costs a tenth of a second at every start.
  const { generate } = await import('selfsigned');
  const issued = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + (options.validDays ?? 825) * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      // digitalSignature only: an ECDSA server key signs the handshake.
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name.toLowerCase() })) },
    ],
  });
  return { certPem: issued.cert, keyPem: issued.private };
}

/** The DNS names and IP addresses a certificate is issued for (its subject alternative names). */
function certificateNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, '').toLowerCase());
}

/** A name as certificates compare it: lower-case DNS names, IP addresses as their bytes. */
function nameKey(name: string): string {
  return isIP(name) ? `ip:${ipaddr.parse(name).toByteArray().join('.')}` : `dns:${name.toLowerCase()}`;
}

/** Whether a certificate is issued for exactly these names and addresses. */
function coversExactly(cert: X509Certificate, names: readonly string[]): boolean {
  const issued = new Set(certificateNames(cert).map(nameKey));
  const wanted = new Set(names.map(nameKey));
  return issued.size === wanted.size && [...wanted].every((n) => issued.has(n));
}

/** Whether a private key (PEM) belongs to a certificate. */
function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return false;
  }
  return cert.checkPrivateKey(key);
}

/** Renews a self-signed certificate this long before it expires (at start-up). */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * The self-signed certificate of a data folder (`tls/api-cert.pem`, `tls/api-key.pem`, mode 0600):
 * created on first use, and created anew when the names asked for differ from the ones it was
 * issued for or it is about to expire (its fingerprint then changes: clients must trust the new one).
 */
export async function ensureSelfSignedCertificate(dataDir: string, names: readonly string[], logger: Logger, now = Date.now()): Promise<TlsFiles> {
  const files = { certFile: join(dataDir, 'tls', 'api-cert.pem'), keyFile: join(dataDir, 'tls', 'api-key.pem') };
  if (existsSync(files.certFile) && existsSync(files.keyFile)) {
    try {
      const { x509 } = loadPair(files);
      if (coversExactly(x509, names) && Date.parse(x509.validTo) - now > RENEW_BEFORE_MS) return files;
    } catch {
      // Unreadable or mismatched: issue a new one below.
    }
  }
  const issued = await createSelfSignedCertificate(names, { now });
  mkdirSync(dirname(files.certFile), { recursive: true, mode: 0o700 });
  writePrivateFileSync(files.keyFile, issued.keyPem);
  writePrivateFileSync(files.certFile, issued.certPem);
  logger.warn({ names, fingerprint256: new X509Certificate(issued.certPem).fingerprint256 }, 'self-signed TLS certificate created');
  return files;
}

/**
 * The certificate a TLS listener serves, re-read from its files when they change (polled, so
 * replacing them by rename, as certbot and most tools do, is seen too) or on `reload()`. A pair
 * that does not load (half-written, key of another certificate) is logged and the previous one
 * kept: a renewal never takes the listener down.
 */
export class TlsCertificate {
  #current: { cert: string; key: string; x509: X509Certificate };
  readonly #listeners = new Set<(pem: { cert: string; key: string }) => void>();
  #watching = false;

  constructor(
    readonly files: TlsFiles,
    readonly selfSigned: boolean,
    private readonly logger: Logger,
  ) {
    this.#current = loadPair(files);
  }

  get pem(): { cert: string; key: string } {
    return { cert: this.#current.cert, key: this.#current.key };
  }

  summary(): TlsSummary {
    const { x509 } = this.#current;
    return { fingerprint256: x509.fingerprint256, names: certificateNames(x509), validTo: new Date(x509.validTo).toISOString(), selfSigned: this.selfSigned };
  }

  /** Calls `listener` with every new pair loaded; returns an unsubscribe. */
  onChange(listener: (pem: { cert: string; key: string }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-reads the files; true when a new certificate is now served. */
  reload(): boolean {
    let next: { cert: string; key: string; x509: X509Certificate };
    try {
      next = loadPair(this.files);
    } catch (error) {
      this.logger.error({ err: error, ...this.files }, 'TLS certificate not reloaded; the previous one is still served');
      return false;
    }
    if (next.cert === this.#current.cert && next.key === this.#current.key) return false;
    this.#current = next;
    for (const listener of this.#listeners) listener(this.pem);
    this.logger.info({ fingerprint256: next.x509.fingerprint256, validTo: next.x509.validTo }, 'TLS certificate reloaded');
    return true;
  }

  /** Polls both files every `intervalMs` and reloads when either changed. */
  watch(intervalMs = 2000): void {
    if (this.#watching) return;
    this.#watching = true;
    for (const file of [this.files.certFile, this.files.keyFile]) {
      watchFile(file, { interval: intervalMs, persistent: false }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload();
      });
    }
  }

  stopWatching(): void {
    if (!this.#watching) return;
    this.#watching = false;
    unwatchFile(this.files.certFile);
    unwatchFile(this.files.keyFile);
  }
}

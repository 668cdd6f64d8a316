import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { startCas } from '../../src-main/app/cas';
import { silentLogger } from '../../src-main/kernel/logger';
import { requireBinary, startNginx } from '../access/real-nginx';
import { createSelfSignedCertificate } from '../../src-main/http/tls-certificate';
import { makePackage } from '../devices/device-helpers';

/**
 * HTTPS on the client listener, through real clients: curl with the certificate as its CA,
 * ffmpeg reading a channel logo, and nginx proxying with `proxy_ssl_verify on`.
 */

const CURL = '/usr/bin/curl';
const FFMPEG = '/usr/bin/ffmpeg';

/** The SHA-256 fingerprint of the certificate a TLS server presents on a new connection. */
function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** Runs a client without blocking the event loop (the CAS under test answers in this process). */
function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const curl = (args: string[]) => run(requireBinary(CURL, 'curl'), ['-sS', '--max-time', '5', ...args]);

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a self-signed certificate', () => {
  let t: TestCas;
  let caFile: string;
  beforeAll(async () => {
    t = await startTestCas({ apiTls: { selfSignedNames: ['cas.test', '127.0.0.1'] }, apiTlsPort: 0 });
    caFile = join(t.dataDir, 'tls', 'api-cert.pem');
  });
  afterAll(() => t.dispose());

  it('is created for the names asked, and its fingerprint is on the status API and the served one', async () => {
    const cert = new X509Certificate(readFileSync(caFile));
    expect(cert.subjectAltName).toBe('DNS:cas.test, IP Address:127.0.0.1');
    const status = await t.admin.get('/api/admin/status');
    expect(status.body.tls).toMatchObject({ fingerprint256: cert.fingerprint256, names: ['cas.test', '127.0.0.1'], selfSigned: true });
    expect(status.body.apiTlsUrl).toBe(t.cas.apiTlsUrl);
    expect(await servedFingerprint(t.cas.apiTlsUrl!)).toBe(cert.fingerprint256);
    const metrics = (await t.admin.get<string>('/metrics')).body;
    expect(metrics).toContain(`\ncas_tls_certificate_expiry_timestamp_seconds ${Date.parse(cert.validTo) / 1000}\n`);
  });

  it('is trusted by curl given it as the CA, for its IP address and its name; refused without it', async () => {
    const { port } = new URL(t.cas.apiTlsUrl!);
    expect((await curl(['--cacert', caFile, `https://127.0.0.1:${port}/healthz`])).out).toContain('"status":"ok"');
    expect((await curl(['--cacert', caFile, '--resolve', `cas.test:${port}:127.0.0.1`, `https://cas.test:${port}/healthz`])).out).toContain('"status":"ok"');
    const untrusted = await curl([`https://127.0.0.1:${port}/healthz`]);
    expect(untrusted.code).toBe(60);
    const otherName = await curl(['--cacert', caFile, '--resolve', `other.test:${port}:127.0.0.1`, `https://other.test:${port}/healthz`]);
    expect(otherName.code).toBe(60);
  });

  it('is kept across restarts, and issued anew when the names change', async () => {
    const before = readFileSync(caFile, 'utf8');
    t = await t.restart();
    expect(readFileSync(caFile, 'utf8')).toBe(before);
    await t.stop();
    t = await startTestCas({ dataDir: t.dataDir, apiTls: { selfSignedNames: ['cas2.test', '127.0.0.1'] }, apiTlsPort: 0 });
    expect(new X509Certificate(readFileSync(caFile)).subjectAltName).toBe('DNS:cas2.test, IP Address:127.0.0.1');
  });

  it('serves ffmpeg a channel logo through HTTPS when it verifies against the certificate', async () => {
    requireBinary(FFMPEG, 'ffmpeg');
    const dir = mkdtempSync(join(tmpdir(), 'cas-https-ffmpeg-'));
    try {
      const png = join(dir, 'logo.png');
      expect((await run(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'color=red:s=16x16', '-frames:v', '1', png])).code).toBe(0);
      await makePackage(t, ['tls-ch']);
      const uploaded = await fetch(`${t.cas.adminUrl}/api/admin/channels/tls-ch/logo`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': 'image/png' },
        body: readFileSync(png),
      });
      expect(uploaded.status).toBe(200);
      const url = `${t.cas.apiTlsUrl!}/logos/tls-ch`;
      const played = await run(FFMPEG, ['-v', 'error', '-tls_verify', '1', '-ca_file', caFile, '-i', url, '-f', 'null', '-']);
      expect(played.out).toBe('');
      expect(played.code).toBe(0);
      const otherCa = join(dir, 'other.pem');
      writeFileSync(otherCa, (await createSelfSignedCertificate(['127.0.0.1'])).certPem);
      const refused = await run(FFMPEG, ['-v', 'error', '-tls_verify', '1', '-ca_file', otherCa, '-i', url, '-f', 'null', '-']);
      expect(refused.code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is verified by nginx proxying to the CAS with proxy_ssl_verify on', async () => {
    const { port } = new URL(t.cas.apiTlsUrl!);
    const nginx = await startNginx(
      () => `
    location / {
      proxy_pass https://127.0.0.1:${port};
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate ${caFile};
      proxy_ssl_name cas2.test;
      proxy_ssl_server_name on;
    }
    location /wrong-name/ {
      proxy_pass https://127.0.0.1:${port}/;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate ${caFile};
      proxy_ssl_name other.test;
    }`,
      () => undefined,
    );
    try {
      const ok = await fetch(`${nginx.url}/healthz`);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { status: string }).status).toBe('ok');
      // A certificate that does not name the upstream is refused by nginx (502), never passed through.
      expect((await fetch(`${nginx.url}/wrong-name/healthz`)).status).toBe(502);
      expect(nginx.errorLog()).toMatch(/upstream SSL certificate does not match "other.test"/);
    } finally {
      await nginx.stop();
    }
  });
});

describe("the operator's certificate", () => {
  let t: TestCas;
  let dir: string;
  const files = () => ({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') });
  /** Replaces the pair by rename, as renewal tools do. */
  const install = (pair: { certPem: string; keyPem: string }) => {
    writeFileSync(join(dir, 'key.new'), pair.keyPem);
    writeFileSync(join(dir, 'cert.new'), pair.certPem);
    renameSync(join(dir, 'key.new'), files().keyFile);
    renameSync(join(dir, 'cert.new'), files().certFile);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cas-https-'));
    install(await createSelfSignedCertificate(['127.0.0.1']));
    t = await startTestCas({ apiTls: files(), apiTlsPort: 0, tlsWatchIntervalMs: 50 });
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is served, and a renewed pair replaces it without a restart', async () => {
    const first = new X509Certificate(readFileSync(files().certFile)).fingerprint256;
    expect(await servedFingerprint(t.cas.apiTlsUrl!)).toBe(first);
    const renewed = await createSelfSignedCertificate(['127.0.0.1']);
    install(renewed);
    const second = new X509Certificate(renewed.certPem).fingerprint256;
    await waitFor(async () => (await servedFingerprint(t.cas.apiTlsUrl!)) === second);
    expect((await t.admin.get('/api/admin/status')).body.tls.fingerprint256).toBe(second);
    expect((await curl(['--cacert', files().certFile, `${t.cas.apiTlsUrl!}/healthz`])).out).toContain('"status":"ok"');
  });

  it('keeps serving the previous pair when the new key does not belong to the new certificate', async () => {
    const served = await servedFingerprint(t.cas.apiTlsUrl!);
    install({ certPem: (await createSelfSignedCertificate(['127.0.0.1'])).certPem, keyPem: (await createSelfSignedCertificate(['127.0.0.1'])).keyPem });
    expect(t.cas.tls!.reload()).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(await servedFingerprint(t.cas.apiTlsUrl!)).toBe(served);
  });

  it('refuses to start with a key that is not the certificate\'s, naming the file', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cas-https-bad-'));
    try {
      writeFileSync(join(other, 'cert.pem'), (await createSelfSignedCertificate(['127.0.0.1'])).certPem);
      writeFileSync(join(other, 'key.pem'), (await createSelfSignedCertificate(['127.0.0.1'])).keyPem);
      await expect(startTestCas({ apiTls: { certFile: join(other, 'cert.pem'), keyFile: join(other, 'key.pem') }, apiTlsPort: 0 })).rejects.toThrow(
        /key\.pem is not the private key of the certificate/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('can turn HTTP off and serve the admin listener over HTTPS with the same certificate', async () => {
    install(await createSelfSignedCertificate(['127.0.0.1']));
    const dataDir = mkdtempSync(join(tmpdir(), 'cas-https-only-'));
    const https = await startCas({ dataDir, adminPort: 0, apiHost: '127.0.0.1', apiTls: files(), apiTlsPort: 0, apiHttp: false, adminTls: true, logger: silentLogger() });
    try {
      expect(https.apiUrl).toBe(https.apiTlsUrl);
      expect(https.adminUrl).toMatch(/^https:/);
      expect((await curl(['--cacert', files().certFile, `${https.adminUrl}/healthz`])).out).toContain('"status":"ok"');
      expect((await curl(['--cacert', files().certFile, `${https.apiUrl}/healthz`])).out).toContain('"status":"ok"');
    } finally {
      await https.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

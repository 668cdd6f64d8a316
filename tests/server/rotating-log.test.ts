import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingFile } from '../../src-main/kernel/rotating-file';
import { createLogger } from '../../src-main/kernel/logger';
import { createSelfSignedCertificate } from '../../src-main/http/self-signed-certificate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cas-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the server log file', () => {
  it('is rotated at its size cap and keeps only the newest files', () => {
    const file = new RotatingFile(join(dir, 'logs', 'cas.log'), { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 100; i++) file.write(`${JSON.stringify({ i, msg: 'x'.repeat(80) })}\n`);
    file.close();
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['cas.log', 'cas.log.1', 'cas.log.2']);
    for (const name of ['cas.log', 'cas.log.1', 'cas.log.2']) expect(statSync(join(dir, 'logs', name)).size).toBeLessThanOrEqual(1000);
    expect(statSync(join(dir, 'logs', 'cas.log')).mode & 0o077).toBe(0);
    // The newest line is in cas.log, whole; the one before the rotation in cas.log.1.
    const current = readFileSync(join(dir, 'logs', 'cas.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(current.at(-1)!).i).toBe(99);
    const previous = readFileSync(join(dir, 'logs', 'cas.log.1'), 'utf8').trim().split('\n');
    expect(JSON.parse(previous.at(-1)!).i).toBe(JSON.parse(current[0]).i - 1);
  });

  it('continues an existing file after a restart and rotates it when full', () => {
    const path = join(dir, 'cas.log');
    const first = new RotatingFile(path, { maxBytes: 100, keep: 1 });
    first.write(`${'a'.repeat(90)}\n`);
    first.close();
    const second = new RotatingFile(path, { maxBytes: 100, keep: 1 });
    second.write(`${'b'.repeat(20)}\n`);
    second.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(`${'a'.repeat(90)}\n`);
    expect(readFileSync(path, 'utf8')).toBe(`${'b'.repeat(20)}\n`);
  });

  it('drops a line it cannot write instead of throwing into the code that logged', () => {
    const file = new RotatingFile(join(dir, 'cas.log'));
    rmSync(dir, { recursive: true, force: true });
    expect(() => file.write('lost\n')).not.toThrow();
    expect(file.dropped).toBe(1);
  });

  it('receives the JSON lines of the logger, redacted like stdout', () => {
    const logger = createLogger({ file: { path: join(dir, 'logs', 'cas.log') }, level: 'info' });
    logger.info({ password: 'hunter2', user: 'op' }, 'hello');
    logger.flush();
    const line = JSON.parse(readFileSync(join(dir, 'logs', 'cas.log'), 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello', user: 'op', password: '[redacted]' });
  });
});

describe('the self-signed certificate encoder', () => {
  it('writes DER every parser accepts, whatever the random serial', () => {
    for (let i = 0; i < 300; i++) {
      const cert = new X509Certificate(createSelfSignedCertificate(['127.0.0.1', 'cas.lan']).certPem);
      expect(cert.verify(cert.publicKey)).toBe(true);
    }
  });
});

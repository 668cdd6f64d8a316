import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { decryptHlsSegment } from '../../src-shared/client';
import { clientFor, makePackage, makeSubscriber } from './device-helpers';

/**
 * The final proof of the device path: the real ffmpeg from Debian encrypts an HLS stream with the
 * CAS's control word (through the packager key info, `-hls_key_info_file`), and the reference
 * client decrypts a segment with the key it got through the ECM and its EMM alone — never the
 * HLS key URL — after which ffprobe reads the result as H.264 in MPEG-TS.
 */

const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';

function requireTool(path: string): void {
  if (!existsSync(path) || spawnSync(path, ['-version']).status !== 0) {
    throw new Error(`${path} is missing: install the Debian package "ffmpeg" (apt-get install ffmpeg)`);
  }
}

let t: TestCas;
let dir: string;

beforeAll(async () => {
  requireTool(FFMPEG);
  requireTool(FFPROBE);
  t = await startTestCas();
  dir = mkdtempSync(join(tmpdir(), 'cas-ecm-hls-'));
});
afterAll(async () => {
  await t?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ffmpeg and the reference client', () => {
  it('decrypts a segment ffmpeg encrypted with the CAS key through the ECM/EMM path alone, and ffprobe reads it', async () => {
    const pkg = await makePackage(t, ['ffmpeg-ch']);
    const apiKey = await t.admin.post('/api/admin/api-keys', { name: 'encoder', scopes: ['packager'] });
    expect(apiKey.status).toBe(201);
    const keyinfo = await t.client.withToken(apiKey.body.key).get('/api/v1/packager/ffmpeg-ch/keyinfo');
    expect(keyinfo.status).toBe(200);

    // The packager side: key file + key info file, as ffmpeg 5.1 reads them (no -hls_enc_key).
    const keyFile = join(dir, 'period.key');
    writeFileSync(keyFile, Buffer.from(keyinfo.body.current.key, 'hex'));
    const keyInfoFile = join(dir, 'key.info');
    writeFileSync(keyInfoFile, `${keyinfo.body.current.keyUri}\n${keyFile}\n${keyinfo.body.current.iv}\n`);
    const ffmpeg = spawnSync(
      FFMPEG,
      [
        '-hide_banner', '-loglevel', 'error', '-y',
        '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '2',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p',
        '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0',
        '-hls_key_info_file', keyInfoFile,
        '-hls_segment_filename', join(dir, 'seg%03d.ts'),
        join(dir, 'index.m3u8'),
      ],
      { timeout: 60_000, encoding: 'utf8' },
    );
    expect(ffmpeg.status, ffmpeg.stderr).toBe(0);
    const playlist = readFileSync(join(dir, 'index.m3u8'), 'utf8');
    expect(playlist).toContain(`#EXT-X-KEY:METHOD=AES-128,URI="${keyinfo.body.current.keyUri}",IV=0x${keyinfo.body.current.iv}`);
    const segmentName = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()[0];
    const encrypted = readFileSync(join(dir, segmentName));
    // Not plain MPEG-TS: a sync byte 0x47 at every 188-byte packet start (one cipher byte may be 0x47 by chance).
    expect([0, 188, 376].every((at) => encrypted[at] === 0x47)).toBe(false);

    // The device side: sign in, ECM + EMM only. The HLS key URL is never asked.
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const client = clientFor(t, sub, 'FFMPEG-BOX');
    await client.auth();
    const word = await client.controlWord('ffmpeg-ch');
    expect(word.period).toBe(keyinfo.body.current.period);
    const iv = Buffer.from(/IV=0x([0-9a-f]{32})/i.exec(playlist)![1], 'hex');
    expect(Buffer.from(word.iv).equals(iv)).toBe(true);
    const clear = await decryptHlsSegment(new Uint8Array(encrypted), word.key, word.iv);
    expect(clear[0]).toBe(0x47);
    const clearFile = join(dir, 'clear.ts');
    writeFileSync(clearFile, clear);

    const probe = spawnSync(
      FFPROBE,
      ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=format_name', '-of', 'json', clearFile],
      { timeout: 30_000, encoding: 'utf8' },
    );
    expect(probe.status, probe.stderr).toBe(0);
    const info = JSON.parse(probe.stdout);
    expect(info.format.format_name).toBe('mpegts');
    expect(info.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });

    // Without the right key the same bytes are noise: a wrong control word does not decrypt.
    const wrong = Uint8Array.from(word.key);
    wrong[0] ^= 0xff;
    const outcome = await decryptHlsSegment(new Uint8Array(encrypted), wrong, word.iv).then(
      (b) => (b[0] === 0x47 && b[188] === 0x47 ? 'clear' : 'noise'),
      () => 'refused',
    );
    expect(outcome).not.toBe('clear');
  });
});

/**
 * Content keys: how fast the key server answers entitled viewers over HTTP (the per-request path:
 * credential, access decision, control-word lookup, AES-GCM unseal), how fast the service hands
 * out control words, and how long one rotator tick takes for many channels at a period boundary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { startCas } from '../src-main/app/cas';
import { silentLogger } from '../src-main/kernel/logger';
import { systemActor } from '../src-main/kernel/actor';

const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 1000);
const REQUESTS = Number(process.env.BENCH_KEY_REQUESTS ?? 5000);
const CONCURRENCY = 16;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cas-bench-keys-'));
  let now = Date.now();
  const cas = await startCas({ dataDir: dir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger(), clock: { now: () => now } });
  try {
    const { channels, accounts } = cas.services;
    const { controlWords, rotation } = cas.services.keys;
    const t0 = performance.now();
    for (let i = 0; i < CHANNELS; i++) {
      channels.create(
        {
          id: `ch${i}`,
          name: `Channel ${i}`,
          number: i,
          logo: null,
          enabled: true,
          packages: ['basic'],
          cryptoPeriodSeconds: 2,
          hlsOrigin: null,
        } as Parameters<typeof channels.create>[0],
        systemActor,
      );
    }
    console.log(`created ${CHANNELS} channels in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const viewer = await accounts.create(
      {
        username: 'benchviewer',
        role: 'user',
        packages: ['basic'],
        maxConnections: 0,
        maxDevices: 0,
        expiresAt: null,
        allowedIps: [],
        email: null,
        comment: '',
        enabled: true,
      },
      systemActor,
    );

    // Rotator: first tick creates current + next for every channel; a tick at the next period boundary adds one each.
    let t = performance.now();
    rotation.ensureKeys();
    console.log(`rotator tick, ${CHANNELS} channels from nothing: ${(performance.now() - t).toFixed(1)} ms`);
    t = performance.now();
    rotation.ensureKeys();
    console.log(`rotator tick, nothing due: ${(performance.now() - t).toFixed(3)} ms`);
    now += 2000;
    t = performance.now();
    rotation.ensureKeys();
    console.log(`rotator tick at a period boundary (${CHANNELS} new keys): ${(performance.now() - t).toFixed(1)} ms`);

    const period = controlWords.currentPeriod('ch0').period;
    const lookups = 50_000;
    t = performance.now();
    for (let i = 0; i < lookups; i++) controlWords.controlWordFor(`ch${i % CHANNELS}`, period);
    console.log(`controlWordFor: ${Math.round(lookups / ((performance.now() - t) / 1000)).toLocaleString('en')} lookups/s`);

    const url = new URL(cas.apiUrl);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        request(
          { host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${viewer.token}` } },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
          },
        )
          .on('error', reject)
          .end();
      });
    const load = async (name: string, pathOf: (i: number) => string) => {
      for (let i = 0; i < 200; i++) await get(pathOf(i));
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < REQUESTS) latencies.push(await get(pathOf(next++)));
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${name}, ${CONCURRENCY} in flight: ${Math.round(REQUESTS / seconds).toLocaleString('en')} requests/s, median ${median(latencies).toFixed(2)} ms`,
      );
    };
    await load('GET /healthz (baseline: the HTTP stack alone)', () => '/healthz');
    await load('GET /keys/<channel>/<period> (entitled viewer)', (i) => `/keys/ch${i % CHANNELS}/${period}`);
    agent.destroy();
  } finally {
    await cas.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Devices: HMAC sign-ins per second over real HTTP, ECM and EMM answers per second from the
 * cache, and how fast they are built when the cache is cold (signing, sealed boxes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCas } from '../src-main/app/cas';
import { silentLogger } from '../src-main/kernel/logger';
import { systemActor } from '../src-main/kernel/actor';
import { generateDeviceKeyPair, signedAuthRequest } from '../src-shared/client';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 300);
const CHANNELS = 50;
const CONCURRENCY = 8;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(label: string, count: number, one: (i: number) => Promise<unknown>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t0 = performance.now();
        await one(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label.padEnd(34)} ${String(Math.round(count / seconds)).padStart(7)}/s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cas-bench-devices-'));
  const cas = await startCas({ dataDir: dir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger() });
  try {
    const { services } = cas;
    cas.ctx.settings.applyPatch({ deviceAuthPerMinute: 100_000 });
    const channelIds = Array.from({ length: CHANNELS }, (_, i) => `ch${i}`);
    for (const [i, id] of channelIds.entries()) {
      services.channels.create({ id, name: id, number: i + 1, logo: null, enabled: true, packages: [], cryptoPeriodSeconds: 600, hlsOrigin: null } as never, systemActor);
    }
    services.packages.create({ id: 'bench', name: 'Bench', description: '', channels: channelIds }, systemActor);
    const subscribers: Array<{ username: string; token: string; keys: ReturnType<typeof generateDeviceKeyPair> }> = [];
    for (let i = 0; i < DEVICES; i++) {
      const account = await services.accounts.create(
        {
          username: `bench${i}`,
          role: 'user',
          packages: ['bench'],
          maxConnections: 1,
          maxDevices: 1,
          expiresAt: null,
          allowedIps: [],
          email: null,
          comment: '',
          enabled: true,
        },
        systemActor,
      );
      subscribers.push({ username: account.username, token: account.token!, keys: generateDeviceKeyPair() });
    }
    console.log(`${DEVICES} subscribers, ${CHANNELS} channels in one package, ${CONCURRENCY} concurrent clients`);
    const post = (body: unknown) =>
      fetch(`${cas.apiUrl}/api/v1/client/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const sessions: string[] = [];
    await timed('sign-in (HMAC, bind, 50 ch info)', DEVICES, async (i) => {
      const s = subscribers[i];
      const response = await post(
        signedAuthRequest({ username: s.username, token: s.token, hwid: `HW${i}`, ts: Math.floor(Date.now() / 1000), devicePublicKey: s.keys.publicKey }),
      );
      if (response.status !== 200) throw new Error(`sign-in ${response.status}`);
      sessions[i] = ((await response.json()) as { session: { token: string } }).session.token;
    });
    const get = async (path: string, i: number) => {
      const response = await fetch(`${cas.apiUrl}${path}`, { headers: { authorization: `Bearer ${sessions[i % DEVICES]}` } });
      if (response.status !== 200) throw new Error(`${path} ${response.status}`);
      await response.arrayBuffer();
    };
    const emmBuildsBefore = services.diagnostics.counts.emmBuilds;
    await timed('EMM, first per device (seal + sign)', DEVICES, (i) => get('/api/v1/client/emm', i));
    await timed('EMM, cached', DEVICES * 5, (i) => get('/api/v1/client/emm', i));
    console.log(`  EMM builds: ${services.diagnostics.counts.emmBuilds - emmBuildsBefore} for ${DEVICES * 6} requests`);
    const ecmBuildsBefore = services.diagnostics.counts.ecmBuilds;
    await timed('ECM, cached (any channel)', DEVICES * 10, (i) => get(`/api/v1/client/ecm/ch${i % CHANNELS}`, i));
    console.log(`  ECM builds: ${services.diagnostics.counts.ecmBuilds - ecmBuildsBefore} for ${DEVICES * 10} requests`);

    // Cold builds in process (no HTTP): what one period boundary costs per channel.
    const rounds = 2000;
    let t0 = performance.now();
    for (let i = 0; i < rounds; i++) services.signingKey.sign(new Uint8Array(300));
    console.log(`${'ed25519 sign (node:crypto)'.padEnd(34)} ${String(Math.round(rounds / ((performance.now() - t0) / 1000))).padStart(7)}/s`);
    services.keys.rotation.rotate('ecm', {}, systemActor);
    t0 = performance.now();
    for (const id of channelIds) services.ecm.ecmFor(id);
    console.log(`${'ECM cold build (1 package)'.padEnd(34)} ${String(Math.round(CHANNELS / ((performance.now() - t0) / 1000))).padStart(7)}/s`);
  } finally {
    await cas.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

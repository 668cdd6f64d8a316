/**
 * Viewer access decisions with 100,000 accounts: decisions per second and latency percentiles,
 * in process (AccessService.decide) and over HTTP through the Astra backend. Accounts are inserted
 * directly (no scrypt); a few carry a password to measure the remembered-password path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { openStore, startCas } from '../src-main/app/cas';
import { silentLogger } from '../src-main/kernel/logger';
import { sha256Hex } from '../src-main/crypto/tokens';
import { hashPassword } from '../src-main/crypto/passwords';
import { tokenAad } from '../src-main/crypto/sealing-aad';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const CHANNELS = 50;
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 200_000);
const HTTP_REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 20_000);
const HTTP_CONCURRENCY = 32;
const HTTP_VIEWERS = 5_000;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function report(name: string, latenciesMs: Float64Array, seconds: number): void {
  const sorted = latenciesMs.slice().sort();
  console.log(
    `${name.padEnd(44)} ${Math.round(latenciesMs.length / seconds).toLocaleString('en').padStart(9)} decisions/s   ` +
      `p50 ${percentile(sorted, 50).toFixed(3)} ms   p99 ${percentile(sorted, 99).toFixed(3)} ms   max ${sorted[sorted.length - 1].toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cas-bench-access-'));
  try {
    // ---- data: channels in three packages, 100k accounts with tokens, a few with passwords ----
    const tokens: string[] = [];
    const passwordUsers: string[] = [];
    {
      const { ctx, db } = await openStore(dir, { logger: silentLogger() });
      const now = Date.now();
      const started = performance.now();
      db.transaction(() => {
        const channel = db.prepare('INSERT INTO channels (id, name, number, stream_path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
        const link = db.prepare('INSERT INTO channel_packages (channel_id, package_id) VALUES (?, ?)');
        for (let c = 0; c < CHANNELS; c++) {
          channel.run(`ch${c}`, `Channel ${c}`, c + 1, `/tv/ch${c}/index.m3u8`, now, now);
          link.run(`ch${c}`, c < 30 ? 'basic' : c < 40 ? 'basic-plus' : 'premium');
        }
      })();
      const insert = db.prepare(
        `INSERT INTO accounts (username, password_hash, role, token_hash, token_sealed, enabled, expires_at, max_connections, max_devices, allowed_ips, created_at, updated_at)
         VALUES (?, ?, 'user', ?, ?, 1, ?, 2, 1, '[]', ?, ?)`,
      );
      const link = db.prepare('INSERT INTO account_packages (account_id, package_id) VALUES (?, ?)');
      const sharedHash = await hashPassword('bench-password-1');
      db.transaction(() => {
        for (let i = 0; i < ACCOUNTS; i++) {
          const token = randomBytes(32).toString('base64url');
          tokens.push(token);
          const hash = sha256Hex(token);
          const withPassword = i < 100;
          if (withPassword) passwordUsers.push(`viewer${i}`);
          const id = Number(
            insert.run(`viewer${i}`, withPassword ? sharedHash : null, hash, ctx.vault.seal(token, tokenAad(hash)), now + 365 * 86_400_000, now, now).lastInsertRowid,
          );
          link.run(id, 'basic');
          if (i % 3 === 0) link.run(id, 'premium');
        }
      })();
      db.exec('ANALYZE');
      db.close();
      console.log(`${ACCOUNTS.toLocaleString('en')} accounts, ${CHANNELS} channels inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }

    const cas = await startCas({ dataDir: dir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger() });
    try {
      const access = cas.services.access;
      cas.ctx.settings.applyPatch({ sharingMaxAddresses: 0 });
      const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

      // ---- in process: first sight of every account (cache fill), then warm repeats ----
      const run = async (name: string, count: number, make: (i: number) => Parameters<typeof access.decide>[0]) => {
        const latencies = new Float64Array(count);
        let refused = 0;
        const started = performance.now();
        for (let i = 0; i < count; i++) {
          const t0 = performance.now();
          const decision = await access.decide(make(i));
          latencies[i] = performance.now() - t0;
          if (!decision.allow) refused++;
          if (i % 10_000 === 9_999) await new Promise((r) => setImmediate(r));
        }
        report(name, latencies, (performance.now() - started) / 1000);
        if (refused) console.log(`  (${refused} refused)`);
        // Write the backlog outside the measurement, so the next scenario starts from a steady state.
        access.flush();
      };
      await run('token, cold cache (each account first seen)', ACCOUNTS, (i) => ({
        credential: { kind: 'token', token: tokens[i] },
        channelId: `ch${i % 30}`,
        ip: ipOf(i),
        source: 'bench',
      }));
      await run('token, warm (session refresh)', DECISIONS, (i) => {
        const a = (i * 7919) % ACCOUNTS;
        return { credential: { kind: 'token', token: tokens[a] }, channelId: `ch${a % 30}`, ip: ipOf(a), source: 'bench' };
      });
      // One scrypt per password user first (run in parallel on the thread pool), then the remembered path.
      await Promise.all(
        passwordUsers.map((username, u) =>
          access.decide({ credential: { kind: 'password', username, password: 'bench-password-1' }, channelId: `ch${u % 30}`, ip: ipOf(u), source: 'bench' }),
        ),
      );
      await run('login:password, remembered', Math.min(DECISIONS, 50_000), (i) => {
        const u = i % passwordUsers.length;
        return { credential: { kind: 'password', username: passwordUsers[u], password: 'bench-password-1' }, channelId: `ch${u % 30}`, ip: ipOf(u), source: 'bench' };
      });
      await run('refusals (not entitled)', Math.min(DECISIONS, 50_000), (i) => {
        const a = ((i * 31) % ACCOUNTS) | 1; // accounts without premium (i % 3 !== 0 mostly)
        return { credential: { kind: 'token', token: tokens[a] }, channelId: 'ch45', ip: ipOf(a), source: 'bench', checkOnly: true };
      });
      console.log(`  password hash checks: ${cas.services.diagnostics.counts.passwordHashChecks} (scrypt), active sessions: ${cas.services.viewingSessions.activeCount.toLocaleString('en')}`);

      // ---- over HTTP: Astra backend, keep-alive, fixed concurrency ----
      const url = new URL(cas.apiUrl);
      const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
      const ask = (i: number) =>
        new Promise<number>((resolve, reject) => {
          // 5,000 viewers polling in turn (the first round opens their sessions, the rest refresh them).
          const a = ((i % HTTP_VIEWERS) * 104_729) % ACCOUNTS;
          const req = httpRequest(
            {
              host: url.hostname,
              port: url.port,
              path: `/auth/astra?token=${tokens[a]}`,
              agent,
              headers: { 'x-real-ip': ipOf(a), 'x-channel-id': `ch${a % 30}`, 'x-session-id': String(a) },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end();
        });
      const latencies = new Float64Array(HTTP_REQUESTS);
      let next = 0;
      let non200 = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: HTTP_CONCURRENCY }, async () => {
          for (;;) {
            const i = next++;
            if (i >= HTTP_REQUESTS) return;
            const t0 = performance.now();
            if ((await ask(i)) !== 200) non200++;
            latencies[i] = performance.now() - t0;
          }
        }),
      );
      report(`HTTP /auth/astra (${HTTP_VIEWERS} viewers, ${HTTP_CONCURRENCY} concurrent)`, latencies, (performance.now() - started) / 1000);
      if (non200) console.log(`  (${non200} non-200 answers)`);
      agent.destroy();
      access.flush();
    } finally {
      await cas.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

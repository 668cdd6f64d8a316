import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type HttpClient, type TestCas } from '../helpers/test-cas';
import { freePort } from '../access/real-nginx';

/**
 * `GET /metrics`: Prometheus text format, read by a strict parser of the format (and by
 * Prometheus's own `promtool` and a real Prometheus scraping the CAS when Debian's
 * `prometheus` is installed); values follow real requests.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict parser of the text exposition format 0.0.4: any line it does not understand fails the test. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  // Values are read with Go's ParseFloat, which takes NaN in any case: prom-client writes `Nan`.
  const sampleLine = new RegExp(`^(${name})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*)\\})? (Na[Nn]|[+-]Inf|-?[0-9.eE+-]+)$`);
  for (const line of text.slice(0, -1).split('\n')) {
    // The format ignores empty lines (prom-client puts one between metric families).
    if (line === '') continue;
    const type = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      expect(types.has(type[1]), `TYPE ${type[1]} twice`).toBe(false);
      types.set(type[1], type[2]);
      continue;
    }
    if (new RegExp(`^# HELP ${name} .*$`).test(line)) continue;
    const match = sampleLine.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, key, value] of match![2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const family = match![1].replace(/_(bucket|sum|count)$/, '');
    expect(types.has(match![1]) || types.get(family) === 'histogram', `${match![1]} has no TYPE`).toBe(true);
    samples.push({ name: match![1], labels, value: Number(match![3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found.reduce((sum, s) => sum + s.value, 0);
}

let t: TestCas;
let reader: HttpClient;

async function scrape(client: HttpClient = t.admin): Promise<Sample[]> {
  const answer = await client.get<string>('/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(answer.body).samples;
}

beforeAll(async () => {
  t = await startTestCas();
  const key = await t.admin.post('/api/admin/api-keys', { name: 'prometheus', scopes: ['admin-read'] });
  reader = t.client.withToken(key.body.key);
});
afterAll(() => t.dispose());

describe('GET /metrics', () => {
  it('answers operators on the admin listener and admin-read keys on the client listener, nobody else', async () => {
    expect((await t.anonymous.get('/metrics')).status).toBe(401);
    expect((await t.client.get('/metrics')).status).toBe(401);
    const packager = await t.admin.post('/api/admin/api-keys', { name: 'encoder', scopes: ['packager'] });
    expect((await t.client.withToken(packager.body.key).get('/metrics')).status).toBe(403);
    await scrape(reader);
  });

  it('counts requests by route template and status, with a latency histogram', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) await t.client.get('/healthz');
    await t.client.get('/no/such/path/12345');
    const after = await scrape();
    const healthz = { listener: 'client', route: '/healthz', method: 'GET', status: '200' };
    expect(value(after, 'cas_http_requests_total', healthz) - value(before, 'cas_http_requests_total', healthz)).toBe(3);
    expect(value(after, 'cas_http_request_duration_seconds_count', { listener: 'client', route: '/healthz' })).toBe(value(after, 'cas_http_requests_total', healthz));
    // A random path is counted under one series, never its own.
    expect(after.some((s) => JSON.stringify(s.labels).includes('12345'))).toBe(false);
    expect(value(after, 'cas_http_requests_total', { listener: 'client', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    const inf = value(after, 'cas_http_request_duration_seconds_bucket', { listener: 'client', route: '/healthz', le: '+Inf' });
    expect(inf).toBe(value(after, 'cas_http_request_duration_seconds_count', { listener: 'client', route: '/healthz' }));
    // Buckets are cumulative, in order of their bounds, and the sum is a positive time.
    const buckets = after.filter((s) => s.name === 'cas_http_request_duration_seconds_bucket' && s.labels.route === '/healthz' && s.labels.listener === 'client');
    expect(buckets.map((s) => s.labels.le)).toEqual(['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '10', '+Inf']);
    expect(buckets.map((s) => s.value)).toEqual([...buckets.map((s) => s.value)].sort((a, b) => a - b));
    expect(value(after, 'cas_http_request_duration_seconds_sum', { listener: 'client', route: '/healthz' })).toBeGreaterThan(0);
  });

  it('counts decisions by backend, result and reason, and shows live sessions and the access-log queue', async () => {
    await t.admin.post('/api/admin/channels', { id: 'm1', name: 'M1', number: 901 });
    await t.admin.post('/api/admin/packages', { id: 'mp', name: 'mp', channels: ['m1'] });
    const viewer = await t.admin.post('/api/admin/accounts', { username: 'metrics-viewer', packages: ['mp'], maxConnections: 0 });
    const before = await scrape();
    const headers = { 'x-real-ip': '192.0.2.7', 'x-channel-id': 'm1', 'x-session-id': '7', 'x-real-path': '/m1/index.m3u8' };
    expect((await t.client.get(`/auth/astra?token=${viewer.body.token}`, headers)).status).toBe(200);
    expect((await t.client.get('/auth/astra?token=wrong-token', headers)).status).toBe(403);
    const after = await scrape();
    const allowed = { source: 'astra', result: 'allow' };
    expect(value(after, 'cas_access_decisions_total', allowed) - value(before, 'cas_access_decisions_total', allowed)).toBe(1);
    const denied = after.filter((s) => s.name === 'cas_access_decisions_total' && s.labels.source === 'astra' && s.labels.result === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((s) => s.labels.reason !== '')).toBe(true);
    expect(value(after, 'cas_viewing_sessions')).toBe(t.cas.services.viewingSessions.activeCount);
    expect(value(after, 'cas_viewing_sessions')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'cas_access_log_queue_rows')).toBeGreaterThanOrEqual(0);
  });

  it('counts key rotations and device sign-ins, and reads the database size, alarms and event-loop lag', async () => {
    await t.admin.post('/api/admin/channels', { id: 'm2', name: 'M2', number: 902 });
    const before = await scrape();
    const rotated = await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'm2' });
    expect(rotated.status).toBe(200);
    await t.client.post('/api/v1/client/auth', { username: 'nobody', hwid: 'hw-1', ts: Math.floor(Date.now() / 1000), nonce: 'a'.repeat(32), sig: '0'.repeat(64) });
    const after = await scrape();
    expect(value(after, 'cas_key_rotations_total', { kind: 'ecm', trigger: 'manual' }) - value(before, 'cas_key_rotations_total', { kind: 'ecm', trigger: 'manual' })).toBe(rotated.body.rotations.length);
    expect(value(after, 'cas_device_sign_ins_total') - value(before, 'cas_device_sign_ins_total')).toBe(1);
    expect(value(after, 'cas_device_sign_ins_total', { result: 'ok' })).toBe(0);
    expect(value(after, 'cas_database_bytes')).toBeGreaterThan(0);
    expect(value(after, 'cas_alarms_active')).toBe(0);
    expect(after.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Without HTTPS there is no certificate to expire: no sample rather than NaN.
    expect(after.some((s) => s.name === 'cas_tls_certificate_expiry_timestamp_seconds')).toBe(false);
    t.cas.ctx.alarms.raise('access-log-write', new Error('SQLITE_FULL: database or disk is full'));
    const alarmed = await scrape();
    expect(value(alarmed, 'cas_alarms_active')).toBe(1);
    expect(value(alarmed, 'cas_alarm_failures', { name: 'access-log-write' })).toBe(1);
    t.cas.ctx.alarms.clear('access-log-write');
  });

  it("passes Prometheus's own promtool check", async () => {
    if (!existsSync('/usr/bin/promtool')) return expect.fail('promtool is missing: install the Debian package "prometheus"');
    const text = (await t.admin.get<string>('/metrics')).body;
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('/usr/bin/promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => resolve({ code, out }));
      child.stdin.end(text);
    });
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it('is scraped by a real Prometheus through the client listener with an API key', async () => {
    if (!existsSync('/usr/bin/prometheus')) return expect.fail('prometheus is missing: install the Debian package "prometheus"');
    const dir = mkdtempSync(join(tmpdir(), 'cas-prometheus-'));
    const port = await freePort();
    const target = new URL(t.cas.apiUrl).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cas\n    authorization:\n      credentials: ${reader.token}\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const prometheus = spawn('/usr/bin/prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    try {
      const until = Date.now() + 30_000;
      let found: unknown[] = [];
      while (found.length === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 500));
        const answer = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('cas_http_requests_total{route="/metrics",status="200"}')}`).catch(() => null);
        if (answer?.ok) found = ((await answer.json()) as { data: { result: unknown[] } }).data.result;
      }
      expect(found.length).toBeGreaterThan(0);
      const up = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`);
      expect(JSON.stringify(await up.json())).toContain('"value":[');
    } finally {
      prometheus.kill('SIGTERM');
      await new Promise((r) => prometheus.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { parseWrkOutput, rawRequest } from '../../bench/http/wrk';
import { replaceSection, routeVerdicts, runIsValid, summarise, type RunRecord } from '../../bench/http/report';
import { selfTimes } from '../../bench/http/cpu-profile';
import type { BenchRoute } from '../../bench/http/routes';
import type { WrkResult } from '../../bench/http/wrk';

const WRK_STDOUT = `Running 5s test @ http://127.0.0.1:8100
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
  10000 requests in 5.00s, 1.2MB read
WRK_JSON {"requests":10000,"durationMicros":5000000,"bytes":1200000,"errors":{"connect":0,"read":1,"write":0,"status":3,"timeout":2},"latencyMicros":{"mean":3100.25,"max":90000,"p50":2500,"p90":4000,"p99":12000,"p999":50000}}
`;

const result = (requestsPerSecond: number, p99Ms: number): WrkResult => ({
  requests: requestsPerSecond * 5,
  requestsPerSecond,
  statusErrors: 0,
  socketErrors: 0,
  p50Ms: p99Ms / 4,
  p90Ms: p99Ms / 2,
  p99Ms,
  maxMs: p99Ms * 2,
});
const route = (name: string, target: BenchRoute['target'], goal: BenchRoute['goal'] = {}): BenchRoute => ({
  name,
  label: name,
  target,
  goal,
  expectStatus: 200,
  pool: () => [],
});

describe('the HTTP benchmark report', () => {
  it('reads requests per second, errors and latency percentiles from the line pool.lua prints', () => {
    expect(parseWrkOutput(WRK_STDOUT)).toEqual({
      requests: 10000,
      requestsPerSecond: 2000,
      statusErrors: 3,
      socketErrors: 3,
      p50Ms: 2.5,
      p90Ms: 4,
      p99Ms: 12,
      maxMs: 90,
    });
  });

  it('refuses wrk output without the JSON line', () => {
    expect(() => parseWrkOutput('Running 5s test\n')).toThrow(/WRK_JSON/);
  });

  it('counts a run as valid only when every answer had the expected kind of status', () => {
    const refusal = { expectStatus: 403 };
    expect(runIsValid({ expectStatus: 200 }, { ...result(100, 1), statusErrors: 1 })).toBe(false);
    expect(runIsValid(refusal, { ...result(100, 1), statusErrors: 500 })).toBe(true);
    expect(runIsValid(refusal, { ...result(100, 1), statusErrors: 499 })).toBe(false);
  });

  it('takes medians over rounds and divides by bare Koa of the same concurrency', () => {
    const routes = [route('koa', 'koa'), route('healthz', 'cas', { minRatio: 0.8 })];
    const records: RunRecord[] = [
      ...[1000, 1200, 1100].map((rps, i) => ({ route: 'koa', connections: 32, round: i + 1, result: result(rps, 5), valid: true })),
      ...[900, 500, 880].map((rps, i) => ({ route: 'healthz', connections: 32, round: i + 1, result: result(rps, 8), valid: true })),
      { route: 'healthz', connections: 32, round: 4, result: result(5000, 1), valid: false },
      { route: 'koa', connections: 128, round: 1, result: result(1000, 20), valid: true },
      { route: 'healthz', connections: 128, round: 1, result: result(700, 150), valid: true },
    ];
    const figures = summarise(routes, records, [32, 128]);
    const healthz32 = figures.find((f) => f.route === 'healthz' && f.connections === 32)!;
    expect(healthz32).toMatchObject({ requestsPerSecond: 880, p99Ms: 8, runs: 4, invalidRuns: 1 });
    expect(healthz32.ratioToKoa).toBeCloseTo(0.8);
    const verdicts = routeVerdicts(routes, figures);
    expect(verdicts.map((v) => [v.target, v.pass])).toEqual([
      ['≥ 0.8× bare Koa req/s at c32', true],
      ['p99 at c128 ≤ 100 ms', false],
    ]);
  });

  it('replaces only the generated section of docs/benchmarks.md', () => {
    const doc = 'intro\n<!-- bench:routes:begin -->\nold\n<!-- bench:routes:end -->\nprofiles by hand\n';
    expect(replaceSection(doc, 'routes', 'new')).toBe('intro\n<!-- bench:routes:begin -->\nnew\n<!-- bench:routes:end -->\nprofiles by hand\n');
    expect(replaceSection('intro\n', 'startup', 'figures')).toBe('intro\n\n<!-- bench:startup:begin -->\nfigures\n<!-- bench:startup:end -->\n');
  });

  it('writes a request with its Host and body length as wrk sends it', () => {
    expect(rawRequest('127.0.0.1:8100', { method: 'POST', path: '/a', headers: { 'Content-Type': 'application/json' }, body: '{"é":1}' })).toBe(
      'POST /a HTTP/1.1\r\nHost: 127.0.0.1:8100\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"é":1}',
    );
  });

  it('sums CPU profile self time per function, idle apart, within the last seconds', () => {
    const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9, columnNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(idle)') },
        { id: 2, callFrame: frame('decide', 'file:///repo/dist/src-main/access/access-service.js') },
        { id: 3, callFrame: frame('parse', 'file:///repo/node_modules/zod/index.js') },
      ],
      startTime: 0,
      // The first sample lies before the last second, so it does not count.
      samples: [3, 2, 2, 1, 3, 2],
      timeDeltas: [1000, 5_000_000, 3000, 4000, 2000, 1000],
    };
    const { busyMs, idleMs, top } = selfTimes(JSON.stringify(profile), '/repo', 1);
    expect(idleMs).toBe(2);
    expect(busyMs).toBe(8);
    expect(top.map((t) => [t.name, t.ms])).toEqual([
      ['decide (dist/src-main/access/access-service.js:10)', 7],
      ['parse (node_modules/zod/index.js:10)', 1],
    ]);
    // Leaving out the last 2.5 ms (the CAS's stop after the load) drops the samples taken in them.
    const withoutStop = selfTimes(JSON.stringify(profile), '/repo', 1, 0.0025);
    expect(withoutStop.idleMs).toBe(2);
    expect(withoutStop.top.map((t) => [t.name, t.ms])).toEqual([['decide (dist/src-main/access/access-service.js:10)', 7]]);
  });
});

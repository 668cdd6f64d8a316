/**
 * Figures of a benchmark run: medians over rounds, ratios to bare Koa measured in the same run,
 * the targets with pass/fail, and how they are printed and written (docs/benchmarks.md
 * between its generated-section markers, docs/benchmarks.json beside it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BenchRoute, TargetName } from './routes';
import type { WrkResult } from './wrk';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  wrk: string;
}

export interface RunRecord {
  route: string;
  connections: number;
  round: number;
  result: WrkResult;
  /** Every answer had the expected status (a refusal route: every answer was a refusal). */
  valid: boolean;
}

export interface RouteFigures {
  route: string;
  label: string;
  target: TargetName;
  connections: number;
  /** Medians over the valid runs; null when no run was valid. */
  requestsPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  ratioToKoa: number | null;
  runs: number;
  invalidRuns: number;
}

export interface TargetVerdict {
  route: string;
  label: string;
  target: string;
  measured: string;
  pass: boolean | null;
}

export interface RoutesReport {
  date: string;
  machine: Machine;
  config: { seconds: number; rounds: number; connections: number[]; accounts: number; viewers: number; devices: number };
  figures: RouteFigures[];
  verdicts: TargetVerdict[];
}

export interface StartupReport {
  date: string;
  machine: Machine;
  accounts: number;
  starts: Array<{ readyMs: number; healthzMs: number; rssMiB: number }>;
  medianReadyMs: number;
  medianHealthzMs: number;
  maxRssMiB: number;
  verdicts: TargetVerdict[];
}

export interface BenchmarkDocument {
  routes?: RoutesReport;
  startup?: StartupReport;
}

/** p99 at c128 that no CAS route may exceed (issue 12). */
export const MAX_P99_MS = 100;
export const MAX_STARTUP_MS = 1000;
export const MAX_RSS_MIB = 200;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Whether a run measured what it meant to: only expected answers, no socket failures that ate the run. */
export function runIsValid(route: Pick<BenchRoute, 'expectStatus'>, result: WrkResult): boolean {
  if (result.requests === 0) return false;
  return route.expectStatus < 400 ? result.statusErrors === 0 : result.statusErrors === result.requests;
}

export function summarise(routes: readonly BenchRoute[], records: readonly RunRecord[], connections: readonly number[]): RouteFigures[] {
  const figures: RouteFigures[] = [];
  for (const c of connections) {
    const koaRps = median(records.filter((r) => r.route === 'koa' && r.connections === c && r.valid).map((r) => r.result.requestsPerSecond));
    for (const route of routes) {
      const runs = records.filter((r) => r.route === route.name && r.connections === c);
      const valid = runs.filter((r) => r.valid).map((r) => r.result);
      const rps = median(valid.map((r) => r.requestsPerSecond));
      figures.push({
        route: route.name,
        label: route.label,
        target: route.target,
        connections: c,
        requestsPerSecond: rps,
        p50Ms: median(valid.map((r) => r.p50Ms)),
        p99Ms: median(valid.map((r) => r.p99Ms)),
        ratioToKoa: rps !== null && koaRps ? rps / koaRps : null,
        runs: runs.length,
        invalidRuns: runs.length - valid.length,
      });
    }
  }
  return figures;
}

const fixed = (value: number | null, digits: number) => (value === null ? '–' : value.toFixed(digits));

export function routeVerdicts(routes: readonly BenchRoute[], figures: readonly RouteFigures[]): TargetVerdict[] {
  const at = (route: string, c: number) => figures.find((f) => f.route === route && f.connections === c);
  const verdicts: TargetVerdict[] = [];
  for (const route of routes.filter((r) => r.target === 'cas')) {
    const add = (target: string, measured: number | null, limit: number, atMost: boolean, digits: number) =>
      verdicts.push({
        route: route.name,
        label: route.label,
        target,
        measured: fixed(measured, digits),
        pass: measured === null ? null : atMost ? measured <= limit : measured >= limit,
      });
    if (route.goal.minRatio !== undefined) add(`≥ ${route.goal.minRatio}× bare Koa req/s at c32`, at(route.name, 32)?.ratioToKoa ?? null, route.goal.minRatio, false, 3);
    const p99 = at(route.name, 128)?.p99Ms ?? null;
    if (route.goal.maxP99VsKoa !== undefined) {
      const koaP99 = at('koa', 128)?.p99Ms ?? null;
      add(`p99 at c128 ≤ ${route.goal.maxP99VsKoa}× bare Koa's p99`, p99 !== null && koaP99 ? p99 / koaP99 : null, route.goal.maxP99VsKoa, true, 2);
    }
    add(`p99 at c128 ≤ ${MAX_P99_MS} ms`, p99, MAX_P99_MS, true, 1);
  }
  return verdicts;
}

const verdictText = (pass: boolean | null) => (pass === null ? 'n/a' : pass ? 'pass' : '**FAIL**');

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}, wrk ${m.wrk}`;
}

export function routesMarkdown(report: RoutesReport): string {
  const { config, figures } = report;
  const head = ['route'];
  const rule = ['---'];
  for (const c of config.connections) {
    head.push(`c${c} req/s`, 'p50 ms', 'p99 ms', '× Koa');
    rule.push('---:', '---:', '---:', '---:');
  }
  const rows = [...new Set(figures.map((f) => f.route))].map((name) => {
    const cells = [figures.find((f) => f.route === name)!.label];
    for (const c of config.connections) {
      const f = figures.find((x) => x.route === name && x.connections === c)!;
      const invalid = f.invalidRuns ? ` (${f.invalidRuns}/${f.runs} runs invalid)` : '';
      cells.push(`${fixed(f.requestsPerSecond, 0)}${invalid}`, fixed(f.p50Ms, 2), fixed(f.p99Ms, 2), fixed(f.ratioToKoa, 3));
    }
    return `| ${cells.join(' | ')} |`;
  });
  const verdicts = report.verdicts.map((v) => `| ${v.label} | ${v.target} | ${v.measured} | ${verdictText(v.pass)} |`);
  return [
    `Measured ${report.date} on ${machineLine(report.machine)}.`,
    `wrk -t1, ${config.seconds} s per run, median of ${config.rounds} interleaved round(s); ${config.accounts.toLocaleString('en')} accounts, 200 channels; ` +
      `${config.viewers.toLocaleString('en')} viewers per route, ${config.devices} devices.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${rule.join(' | ')} |`,
    ...rows,
    '',
    '| route | target | measured | verdict |',
    '| --- | --- | ---: | --- |',
    ...verdicts,
  ].join('\n');
}

export function startupMarkdown(report: StartupReport): string {
  const starts = report.starts.map((s) => `${s.readyMs.toFixed(0)} / ${s.healthzMs.toFixed(0)} ms, ${s.rssMiB.toFixed(0)} MiB`).join('; ');
  return [
    `Measured ${report.date} on ${machineLine(report.machine)}; ${report.accounts.toLocaleString('en')} accounts, 200 channels.`,
    '',
    '| figure | measured | target | verdict |',
    '| --- | ---: | ---: | --- |',
    ...report.verdicts.map((v) => `| ${v.label} | ${v.measured} | ${v.target} | ${verdictText(v.pass)} |`),
    '',
    `Each start (process start to ready line / to first \`/healthz\` 200, RSS then): ${starts}.`,
  ].join('\n');
}

/** Replaces the text between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`. */
export function replaceSection(document: string, name: string, body: string): string {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = document.indexOf(begin);
  const to = document.indexOf(end);
  if (from === -1 || to < from) return `${document.trimEnd()}\n\n${begin}\n${body}\n${end}\n`;
  return `${document.slice(0, from + begin.length)}\n${body}\n${document.slice(to)}`;
}

/** Writes one part of docs/benchmarks.{md,json}, keeping the other part of an earlier run. */
export function writeBenchmarkDocs(markdownFile: string, jsonFile: string, part: BenchmarkDocument): void {
  const previous = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchmarkDocument) : {};
  writeFileSync(jsonFile, `${JSON.stringify({ ...previous, ...part }, null, 2)}\n`);
  let markdown = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : '# Benchmarks\n';
  if (part.routes) markdown = replaceSection(markdown, 'routes', routesMarkdown(part.routes));
  if (part.startup) markdown = replaceSection(markdown, 'startup', startupMarkdown(part.startup));
  writeFileSync(markdownFile, markdown);
}

/** The table printed at the end of a run. */
export function consoleTable(figures: readonly RouteFigures[]): string {
  const lines = [`${'route'.padEnd(24)} ${'conc'.padStart(5)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'× Koa'.padStart(7)}  runs`];
  for (const f of figures) {
    lines.push(
      `${f.route.padEnd(24)} ${String(f.connections).padStart(5)} ${fixed(f.requestsPerSecond, 0).padStart(9)} ${fixed(f.p50Ms, 2).padStart(8)} ${fixed(f.p99Ms, 2).padStart(8)} ${fixed(f.ratioToKoa, 3).padStart(7)}  ${f.runs - f.invalidRuns}/${f.runs}`,
    );
  }
  return lines.join('\n');
}

/**
 * Prometheus metrics in the text exposition format (version 0.0.4), kept cheap on the hot path:
 * recording is a map lookup and an addition, never I/O; gauges are computed when scraped. A
 * small registry of our own rather than prom-client, which is not a dependency of this project.
 */

type LabelValues<L extends string> = Readonly<Record<L, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabel(values[i])}"`);
  if (extra) pairs.push(extra);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

interface Metric {
  readonly name: string;
  render(): string[];
}

abstract class LabelledMetric<L extends string, S> implements Metric {
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {}

  protected stateOf(labels: LabelValues<L>, create: () => S): S {
    const values = this.labelNames.map((name) => labels[name]);
    const key = values.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: create() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  abstract render(): string[];
}

/** A value that only goes up (resets with the process). */
export class Counter<L extends string = never> extends LabelledMetric<L, { value: number }> {
  inc(labels: LabelValues<L>, by = 1): void {
    this.stateOf(labels, () => ({ value: 0 })).value += by;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const { values, state } of this.series.values()) lines.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(state.value)}`);
    return lines;
  }
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram<L extends string = never> extends LabelledMetric<L, { counts: number[]; sum: number; count: number }> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(labels: LabelValues<L>, value: number): void {
    const state = this.stateOf(labels, () => ({ counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    const bucket = this.buckets.findIndex((upper) => value <= upper);
    if (bucket >= 0) state.counts[bucket]++;
    state.sum += value;
    state.count++;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const { values, state } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((upper, i) => {
        cumulative += state.counts[i];
        lines.push(`${this.name}_bucket${labelText(this.labelNames, values, `le="${formatValue(upper)}"`)} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${state.count}`);
      lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(state.sum)}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${state.count}`);
    }
    return lines;
  }
}

/** A value read when scraped (`collect` answers one number, or one per label set). */
export class CollectedMetric<L extends string = never> implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    readonly labelNames: readonly L[],
    private readonly collect: () => number | Iterable<readonly [LabelValues<L>, number]>,
  ) {}

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    const collected = this.collect();
    const samples = typeof collected === 'number' ? [[{} as LabelValues<L>, collected] as const] : collected;
    for (const [labels, value] of samples) {
      lines.push(`${this.name}${labelText(this.labelNames, this.labelNames.map((n) => labels[n]))} ${formatValue(value)}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.#add(new Counter<L>(name, help, labelNames));
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> {
    return this.#add(new Histogram<L>(name, help, labelNames, buckets));
  }

  /** A gauge (or a counter kept elsewhere) read at scrape time. */
  collected<L extends string = never>(
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    labelNames: readonly L[],
    collect: () => number | Iterable<readonly [LabelValues<L>, number]>,
  ): void {
    this.#add(new CollectedMetric<L>(name, help, type, labelNames, collect));
  }

  /** The whole registry in the text exposition format. */
  render(): string {
    return `${[...this.#metrics.values()].flatMap((metric) => metric.render()).join('\n')}\n`;
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`Metric ${metric.name} is registered twice`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Seconds, from 1 ms to 10 s: decisions answer in well under a millisecond, key and origin fetches slower. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * The metrics every part of the CAS records into (on `ctx.metrics`); values read at scrape time
 * (sessions, queues, database size, event-loop lag) are added by the composition root.
 */
export class Metrics {
  readonly registry = new MetricsRegistry();
  readonly httpRequests = this.registry.counter('cas_http_requests_total', 'HTTP requests answered, by listener, route template and status', ['listener', 'route', 'method', 'status']);
  readonly httpDuration = this.registry.histogram('cas_http_request_duration_seconds', 'Time to answer an HTTP request, by listener and route template', ['listener', 'route'], LATENCY_BUCKETS);
  readonly decisions = this.registry.counter('cas_access_decisions_total', 'Viewer access decisions, by backend (source), result and refusal reason', ['source', 'result', 'reason']);
  readonly deviceSignIns = this.registry.counter('cas_device_sign_ins_total', 'Device sign-ins, by result (ok or the refusal reason)', ['result']);
  readonly keyRotations = this.registry.counter('cas_key_rotations_total', 'Committed key rotations, by kind and trigger', ['kind', 'trigger']);
}

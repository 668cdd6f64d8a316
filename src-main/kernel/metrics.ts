import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { TallyCounter, TallyHistogram } from './tally-metrics';

/** Seconds, from 0.5 ms to 10 s: decisions answer in well under a millisecond, key and origin fetches slower. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

let processRegistry: Registry | undefined;

/**
 * prom-client's metrics of the process (memory, CPU, file descriptors, event-loop lag, GC):
 * one registry per process, created on the first scrape, shared by every CAS the process runs
 * (each registration would start another event-loop monitor that is never stopped).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named like counters, which promtool's lint rejects; `nodejs_active_*` by type stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

/**
 * The metrics every part of the CAS records into (`ctx.metrics`), in a prom-client registry of
 * this CAS's own, never the global default one: tests run several CAS in one process. Recording
 * is a counter increment or a histogram observation; values read at scrape time (sessions,
 * queues, database size, alarms) are added by the composition root.
 */
export class Metrics {
  readonly registry = new Registry();
  // Recorded on every request and decision: tallies, not prom-client's own classes (see tally-metrics).
  readonly httpRequests = new TallyCounter(this.registry, 'cas_http_requests_total', 'HTTP requests answered, by listener, route template and status', ['listener', 'route', 'method', 'status']);
  readonly httpDuration = new TallyHistogram(this.registry, 'cas_http_request_duration_seconds', 'Time to answer an HTTP request, by listener and route template', ['listener', 'route'], LATENCY_BUCKETS);
  readonly decisions = new TallyCounter(this.registry, 'cas_access_decisions_total', 'Viewer access decisions, by backend (source), result and refusal reason', ['source', 'result', 'reason']);
  readonly deviceSignIns = new Counter({
    name: 'cas_device_sign_ins_total',
    help: 'Device sign-ins, by result (ok or the refusal reason)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly keyRotations = new Counter({
    name: 'cas_key_rotations_total',
    help: 'Committed key rotations, by kind and trigger',
    labelNames: ['kind', 'trigger'] as const,
    registers: [this.registry],
  });

  /** The `Content-Type` of `exposition()` (the Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** This CAS's metrics and the process's, in the Prometheus text format. */
  exposition(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }
}

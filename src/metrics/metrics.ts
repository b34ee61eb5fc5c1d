import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Persona's Prometheus metrics, one registry per running app (so tests can start many apps in one process).
 * Collect-time gauges (like inbox depth) are attached by their owners with `gauge`.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'persona_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly ingestEvents = new Counter({
    name: 'persona_ingest_events_total',
    help: 'Inbound events by source and outcome (accepted, rejected, processed, duplicate, deferred, retried, failed)',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'persona_job_runs_total',
    help: 'Scheduled job runs by job and outcome (succeeded, failed, skipped)',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'persona_webhook_deliveries_total',
    help: 'Outbound webhook delivery attempts by subscriber and outcome (delivered, retried, failed)',
    labelNames: ['subscriber', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly pushDeliveries = new Counter({
    name: 'persona_push_deliveries_total',
    help: 'Push recipients settled, by channel and outcome (sent, failed, skipped, deferred, retried)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly rulesRecompute = new Counter({
    name: 'persona_rules_recompute_profiles_total',
    help: 'Profiles the scheduled rules recompute went through, by step (scores_faded, tags_updated)',
    labelNames: ['step'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'persona_' });
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => Promise<number>): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }
}

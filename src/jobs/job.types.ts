import type { Logger } from 'pino';

/** A scheduled job: data plus a handler. Its name keys its lease and history; keep it stable. */
export interface JobDefinition {
  /** Lower-case, e.g. `inbox-purge`. */
  name: string;
  /** A cron expression (5 fields, or 6 with seconds first), in the configured time zone. */
  schedule: string;
  run(context: JobContext): Promise<void>;
}

export interface JobContext {
  /** The scheduled time this run is for; the same on every instance. */
  tick: Date;
  log: Logger;
  /** Aborted when the process is shutting down: long jobs should stop at the next safe point. */
  signal: AbortSignal;
}

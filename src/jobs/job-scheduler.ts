import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics';
import { type Clock, monotonicMs } from '../util/clock';
import type { JobLeaseService } from './job-lease.service';
import type { JobDefinition } from './job.types';

export interface JobSchedulerOptions {
  leaseMs: number;
  timezone: string;
}

interface Registered {
  job: JobDefinition;
  task?: ScheduledTask;
  running?: Promise<void>;
}

const jobName = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
/** How far back a late callback looks for the tick it was scheduled for. */
const maxLatenessSeconds = 120;

/**
 * Runs registered jobs on their cron schedules. A tick runs once across all instances (see JobLeaseService); a tick
 * that finds the previous run still going is skipped, a failing run is logged with the job's name and never stops the
 * others.
 */
export class JobScheduler {
  readonly holder = `jobs-${randomUUID().slice(0, 8)}`;
  private readonly jobs = new Map<string, Registered>();
  private readonly abort = new AbortController();
  private started = false;

  constructor(
    private readonly leases: JobLeaseService,
    private readonly options: JobSchedulerOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  /** Adds a job (scheduling it at once if the scheduler runs); the returned function removes it. */
  register(job: JobDefinition): () => void {
    if (!jobName.test(job.name)) throw new Error(`job "${job.name}": expected a lower-case name`);
    if (this.jobs.has(job.name)) throw new Error(`job "${job.name}" is already registered`);
    if (!cron.validate(job.schedule)) throw new Error(`job "${job.name}": invalid cron schedule "${job.schedule}"`);
    const entry: Registered = { job };
    this.jobs.set(job.name, entry);
    if (this.started) this.schedule(entry);
    return () => {
      void entry.task?.destroy();
      this.jobs.delete(job.name);
    };
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('job scheduler already started');
    this.started = true;
    for (const entry of this.jobs.values()) this.schedule(entry);
  }

  /** Stops scheduling, asks running jobs to stop, and waits for them. */
  async stop(): Promise<void> {
    this.started = false;
    this.abort.abort();
    for (const entry of this.jobs.values()) await entry.task?.destroy();
    await Promise.allSettled([...this.jobs.values()].map((entry) => entry.running));
  }

  /** Runs one tick of a job now, through the same once-per-tick guard as the schedule. */
  async trigger(name: string, tick: Date): Promise<'succeeded' | 'failed' | 'skipped'> {
    const entry = this.jobs.get(name);
    if (!entry) throw new Error(`no job "${name}"`);
    return this.tick(entry, tick);
  }

  private schedule(entry: Registered): void {
    const task = cron.createTask(
      entry.job.schedule,
      () => {
        void this.tick(entry, scheduledTick(task, this.clock()));
      },
      { name: entry.job.name, timezone: this.options.timezone },
    );
    entry.task = task;
    void task.start();
  }

  private async tick(entry: Registered, tick: Date): Promise<'succeeded' | 'failed' | 'skipped'> {
    const { job } = entry;
    const log = this.log.child({ job: job.name, tick: tick.toISOString() });
    if (entry.running) {
      log.info('previous run still going; tick skipped');
      this.metrics.jobRuns.inc({ job: job.name, outcome: 'skipped' });
      return 'skipped';
    }
    const run = this.runGuarded(job, tick, log);
    entry.running = run.then(() => undefined);
    try {
      return await run;
    } finally {
      entry.running = undefined;
    }
  }

  private async runGuarded(job: JobDefinition, tick: Date, log: Logger): Promise<'succeeded' | 'failed' | 'skipped'> {
    try {
      await this.leases.ensure(job.name);
      const begun = await this.leases.begin(job.name, tick, this.holder, this.options.leaseMs);
      if (begun !== 'run') {
        log.debug({ reason: begun }, 'tick taken by another instance');
        this.metrics.jobRuns.inc({ job: job.name, outcome: 'skipped' });
        return 'skipped';
      }
    } catch (error) {
      log.error({ err: error }, 'could not claim the job tick');
      this.metrics.jobRuns.inc({ job: job.name, outcome: 'failed' });
      return 'failed';
    }

    const heartbeat = setInterval(
      () => {
        this.leases.renew(job.name, this.holder, this.options.leaseMs).catch((error: unknown) => {
          log.warn({ err: error }, 'could not renew the job lease');
        });
      },
      Math.max(1000, Math.floor(this.options.leaseMs / 3)),
    );
    heartbeat.unref();

    const startedAt = monotonicMs();
    let failure: string | null = null;
    try {
      log.info('job started');
      await job.run({ tick, log, signal: this.abort.signal });
      log.info({ durationMs: Math.round(monotonicMs() - startedAt) }, 'job finished');
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      log.error({ err: error, durationMs: Math.round(monotonicMs() - startedAt) }, 'job failed');
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await this.leases.finish(job.name, tick, this.holder, failure);
    } catch (error) {
      log.error({ err: error }, 'could not record the end of the job run; its lease will expire');
    }
    this.metrics.jobRuns.inc({ job: job.name, outcome: failure ? 'failed' : 'succeeded' });
    return failure ? 'failed' : 'succeeded';
  }
}

/**
 * The time this callback was scheduled for: the latest whole second, at or before now, that the pattern matches. Every
 * instance derives the same tick even when its callback fires late, which is what makes the tick a shared key.
 */
function scheduledTick(task: ScheduledTask, at: Date): Date {
  const now = Math.floor(at.getTime() / 1000) * 1000;
  for (let back = 0; back <= maxLatenessSeconds; back += 1) {
    const candidate = new Date(now - back * 1000);
    if (task.match(candidate)) return candidate;
  }
  return new Date(now);
}

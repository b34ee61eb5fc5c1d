import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { Lifecycle, RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { Metrics } from '../metrics/metrics';
import type { Clock } from '../util/clock';
import { jobHistoryPurgeJob } from './job-history-purge.job';
import { JobLeaseService } from './job-lease.service';
import { JobScheduler } from './job-scheduler';

export const jobsRoom: RoomDefinition = {
  room: 'jobs',
  tables: ['job_leases', 'job_runs'],
  surface: ['job.types', 'polling-worker'],
};

/** The jobs room: the scheduler every room's jobs run on, once per tick across instances, with their history. */
export class JobsModule implements RoomModule {
  readonly definition = jobsRoom;
  readonly scheduler: JobScheduler;
  readonly contributes: RoomContributions;
  readonly lifecycle: Lifecycle;

  constructor(deps: { config: Config; db: Database; log: Logger; metrics: Metrics; clock: Clock }) {
    const { config } = deps;
    const leases = new JobLeaseService(deps.db, deps.clock);
    this.scheduler = new JobScheduler(
      leases,
      { leaseMs: config.jobs.leaseMs, timezone: config.timezone },
      deps.log.child({ room: 'jobs' }),
      deps.metrics,
      deps.clock,
    );
    this.contributes = { jobs: [jobHistoryPurgeJob(leases, config.jobs.historyRetentionDays)] };
    this.lifecycle = {
      start: async () => {
        if (config.jobs.enabled) await this.scheduler.start();
      },
      stop: () => this.scheduler.stop(),
    };
  }
}

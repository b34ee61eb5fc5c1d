import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { CredentialStore } from '../credentials/credential-store';
import type { Database } from '../db/database';
import type { InboundEvent } from '../ingest/inbound-event';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { Metrics } from '../metrics/metrics';
import type { PushAccount, PushSender } from './push-sender.types';
import type { SegmentService } from '../segments/segment.service';
import type { TimelineService } from '../timeline/timeline.service';
import { contactPolicyOf } from './contact-policy';
import { PushAutomations } from './push-automations';
import { PushClicks } from './push-clicks';
import { PushDeliveryWorker } from './push-delivery.worker';
import { PushOutbox } from './push-outbox';
import { PushPlanner } from './push-planner';
import { pushScheduleJob } from './push-schedule.job';
import { PushService } from './push.service';
import { RecurringPushes } from './recurring-pushes';
import { TrackedLinks } from './tracked-links';
import type { Clock } from '../util/clock';

export interface PushEngineDeps {
  config: Config;
  db: Database;
  timeline: TimelineService;
  segments: SegmentService;
  /** The channels' senders, registered by plugins. */
  senders: { get(channel: string): PushSender | undefined };
  /** The accounts pushes go out from, registered by plugins (their time zones). */
  accounts: { get(name: string): PushAccount | undefined; list(): PushAccount[] };
  credentials: CredentialStore;
  /** Hands events to the inbox (a tracked link's click). */
  accept(source: string, events: InboundEvent[]): Promise<void>;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
}

/**
 * The pushes room put together: plans and confirmation, the delivery worker, automations, recurring runs and tracked
 * links. `attach` plugs it into the timeline (automation triggers), the scheduler (recurring runs) and segments (one a
 * push will still read can't be deleted).
 */
export class PushEngine {
  readonly service: PushService;
  readonly worker: PushDeliveryWorker;
  readonly automations: PushAutomations;
  readonly recurring: RecurringPushes;
  readonly clicks: PushClicks;

  constructor(deps: PushEngineDeps) {
    const { config, db, clock } = deps;
    const log = deps.log.child({ room: 'pushes' });
    const timezoneOf = (account: string) => deps.accounts.get(account)?.timezone ?? config.timezone;
    const settings = {
      policy: contactPolicyOf(config.pushes.policy),
      optOutTags: config.pushes.policy.optOutTags,
      timezoneOf,
    };
    const links = new TrackedLinks(config.pushes.publicUrl, deps.credentials);
    this.automations = new PushAutomations(
      db,
      async (expression) => deps.segments.audience({ expression }),
      log,
      clock,
    );
    const planner = new PushPlanner(db, { ...settings, sampleSize: config.pushes.planSampleSize }, (ids) =>
      deps.segments.sample(ids),
    );
    this.service = new PushService(
      db,
      deps.segments,
      planner,
      deps.senders,
      deps.accounts,
      links,
      this.automations,
      clock,
    );
    this.worker = new PushDeliveryWorker(
      db,
      new PushOutbox(db, deps.timeline),
      deps.senders,
      settings,
      links,
      config.pushes.worker,
      log,
      deps.metrics,
      clock,
    );
    this.recurring = new RecurringPushes(db, this.service, timezoneOf);
    this.clicks = new PushClicks(db, links, deps.accept, clock, log);
  }

  attach(timeline: TimelineService, jobs: JobScheduler, segments: SegmentService): void {
    segments.addDependents((name) => this.service.usersOfSegment(name));
    timeline.onAppend(this.automations.enqueue);
    jobs.register(pushScheduleJob(this.recurring, () => this.worker.wake()));
  }

  /** Reads the active automations and, when enabled, starts delivering. */
  async start(workerEnabled: boolean): Promise<void> {
    await this.automations.start();
    if (workerEnabled) this.worker.start();
  }

  async stop(): Promise<void> {
    this.automations.stop();
    await this.worker.stop().catch(() => undefined);
  }
}

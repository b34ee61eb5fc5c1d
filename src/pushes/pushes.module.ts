import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { CredentialStore } from '../credentials/credential-store';
import type { Database } from '../db/database';
import type { InboundEvent } from '../ingest/inbound-event';
import type { Lifecycle, RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { NoticeBoard } from '../notices/notice-board';
import type { Metrics } from '../metrics/metrics';
import type { PushAccount, PushSender } from './push-sender.types';
import type { SegmentService } from '../segments/segment.service';
import type { TimelineService } from '../timeline/timeline.service';
import { contactPolicyOf } from './contact-policy';
import { PushAutomations } from './push-automations';
import { PushClicks } from './push-clicks';
import { PushDeliveryWorker } from './push-delivery.worker';
import { PushOutbox } from './push-outbox.repository';
import { PushPlanner } from './push-planner';
import { pushScheduleJob } from './push-schedule.job';
import { PushService } from './push.service';
import { RecurringPushes } from './recurring-pushes';
import { TrackedLinks } from './tracked-links';
import type { Clock } from '../util/clock';
import { NamedRegistry } from '../util/named-registry';
import { DeliveryReportService } from './delivery-report.service';
import { pushPersonData } from './push-person-data';

export const pushesRoom: RoomDefinition = {
  room: 'pushes',
  tables: ['pushes', 'push_batches', 'push_deliveries', 'delivery_reports'],
  surface: [],
};

export interface PushesModuleDeps {
  config: Config;
  db: Database;
  timeline: TimelineService;
  segments: SegmentService;
  credentials: CredentialStore;
  /** Hands events to the inbox (a tracked link's click). */
  accept(source: string, events: InboundEvent[]): Promise<void>;
  metrics: Metrics;
  /** Where a finished push is told. */
  notices?: NoticeBoard;
  log: Logger;
  clock: Clock;
}

/**
 * The pushes room: plans and confirmation, the delivery worker, automations (triggered from the timeline), recurring
 * runs, tracked links and the channels' delivery reports. Owns the ports plugins fill: the channels' senders and the
 * accounts pushes go out from. A segment a push will still read can't be deleted.
 */
export class PushesModule implements RoomModule {
  readonly definition = pushesRoom;
  readonly contributes: RoomContributions;
  readonly lifecycle: Lifecycle;
  /** The channels' senders, registered by plugins. */
  readonly senders = new NamedRegistry<PushSender>('push sender');
  /** The accounts pushes go out from, registered by plugins (their time zones). */
  readonly accounts = new NamedRegistry<PushAccount>('push account');
  readonly deliveryReports: DeliveryReportService;
  readonly service: PushService;
  readonly worker: PushDeliveryWorker;
  readonly automations: PushAutomations;
  readonly recurring: RecurringPushes;
  readonly clicks: PushClicks;

  constructor(deps: PushesModuleDeps) {
    const { config, db, clock } = deps;
    const log = deps.log.child({ room: 'pushes' });
    const timezoneOf = (account: string) => this.accounts.get(account)?.timezone ?? config.timezone;
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
      this.senders,
      this.accounts,
      links,
      this.automations,
      clock,
    );
    this.worker = new PushDeliveryWorker(
      db,
      new PushOutbox(db, deps.timeline),
      this.senders,
      settings,
      links,
      config.pushes.worker,
      log,
      deps.metrics,
      clock,
      deps.notices,
    );
    this.recurring = new RecurringPushes(db, this.service, timezoneOf);
    this.clicks = new PushClicks(db, links, deps.accept, clock, log);
    this.deliveryReports = new DeliveryReportService(db, clock);
    deps.segments.addDependents((name) => this.service.usersOfSegment(name));
    this.contributes = {
      timelineListeners: [this.automations.enqueue],
      jobs: [pushScheduleJob(this.recurring, () => this.worker.wake())],
      personData: pushPersonData(db),
    };
    this.lifecycle = {
      // Automations are read before the inbox worker runs, so no trigger is processed unseen.
      start: async () => {
        await this.automations.start();
        if (config.pushes.worker.enabled) this.worker.start();
      },
      stop: async () => {
        this.automations.stop();
        await this.worker.stop().catch(() => undefined);
      },
    };
  }
}

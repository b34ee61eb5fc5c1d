import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import {
  type Lifecycle,
  type PipelinePhase,
  pipelinePhases,
  type RoomContributions,
  type RoomDefinition,
  type RoomModule,
} from '../kernel/room-module.types';
import type { NoticeBoard } from '../notices/notice-board';
import type { Metrics } from '../metrics/metrics';
import type { ProfileResolver } from '../profiles/profile-resolver';
import type { TimelineService } from '../timeline/timeline.service';
import type { Clock } from '../util/clock';
import { EventPipeline, type PipelineGroupStage, type PipelineStage } from './event-pipeline';
import type { InboundEvent } from './inbound-event';
import { inboxPersonData } from './inbox-person-data';
import { inboxPurgeJob } from './inbox-purge.job';
import { InboxService } from './inbox.service';
import { InboxWorker } from './inbox.worker';

export const ingestRoom: RoomDefinition = {
  room: 'ingest',
  tables: ['inbox'],
  surface: ['event-pipeline', 'inbound-event'],
};

export interface IngestModuleDeps {
  config: Config;
  db: Database;
  timeline: TimelineService;
  resolver: ProfileResolver;
  log: Logger;
  metrics: Metrics;
  /** Where an entry parked as failed is told. */
  notices?: NoticeBoard;
  clock: Clock;
}

/**
 * The ingest room: inbound events are stored durably in the inbox (the only work done before an HTTP answer), then
 * the worker runs them through the pipeline: identity resolution, the timeline and every room's stages, in one
 * transaction per group of entries.
 */
export class IngestModule implements RoomModule {
  readonly definition = ingestRoom;
  readonly contributes: RoomContributions;
  readonly lifecycle: Lifecycle;
  readonly inbox: InboxService;
  readonly pipeline: EventPipeline;
  readonly worker: InboxWorker;

  constructor(deps: IngestModuleDeps) {
    const { config, db, clock } = deps;
    this.inbox = new InboxService(db, clock);
    this.pipeline = new EventPipeline(db, this.inbox, deps.resolver, deps.timeline, clock);
    this.worker = new InboxWorker(
      this.inbox,
      this.pipeline,
      {
        ...config.ingest.worker,
        entriesPerTransaction: config.ingest.worker.entriesPerTransaction ?? (db.isMysql ? 100 : 1),
      },
      deps.log.child({ room: 'ingest' }),
      deps.metrics,
      deps.notices,
    );
    this.contributes = {
      jobs: [inboxPurgeJob(this.inbox, config.ingest.inboxRetentionHours)],
      personData: inboxPersonData(db),
      gauges: [
        { name: 'persona_inbox_depth', help: 'Inbox rows waiting to be processed', read: () => this.inbox.depth() },
      ],
    };
    this.lifecycle = {
      start: async () => {
        if (config.ingest.worker.enabled) this.worker.start();
      },
      stop: () => this.worker.stop().catch(() => undefined),
    };
  }

  /** Durably stores inbound events and wakes the worker; answers how many the inbox already held. */
  async accept(source: string, events: InboundEvent[]): Promise<{ duplicates: number }> {
    const written = await this.inbox.write(source, events);
    this.worker.wake();
    return written;
  }

  /** Plugs the rooms' stages in: per-event stages in phase order (see `pipelinePhases`), then the per-group ones. */
  useStages(
    stages: readonly { phase: PipelinePhase; stage: PipelineStage }[],
    groupStages: readonly PipelineGroupStage[],
  ): void {
    for (const phase of pipelinePhases) {
      for (const entry of stages) if (entry.phase === phase) this.pipeline.use(entry.stage);
    }
    for (const stage of groupStages) this.pipeline.useForGroup(stage);
  }
}

import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import { NamedRegistry } from '../util/named-registry';
import type { Clock } from '../util/clock';
import { AudienceStats } from './audience-stats.repository';
import type { RuleVocabulary } from './rule-vocabulary.types';
import { segmentCountsJob } from './segment-counts.job';
import { segmentPersonData } from './segment-person-data';
import { SegmentService } from './segment.service';
import type { TagLabels } from './tag-labels';

/** The one read model: it compiles segment expressions into reads over every room's tables, and writes only its own. */
export const segmentsRoom: RoomDefinition = {
  room: 'segments',
  tables: ['segments', 'segment_members', 'segment_counts'],
  readsEveryRoom: true,
  surface: [
    'segment-ast',
    'segment-printer',
    'segment-semantics',
    'segment-vocabulary',
    'audience-lookups',
    'segment.service',
    'segment-dependencies',
    'segment-parser',
    'segment-sql-compiler',
    'segment-evaluator',
    'profile-facts.repository',
    'segment-explainer',
    'tag-labels',
  ],
};

/**
 * The segments room: expressions over tags, attributes, scores and events, counted, sampled and saved under a name,
 * with the daily count history. Owns the port plugins declare their event types through (rule vocabularies).
 */
export class SegmentsModule implements RoomModule {
  readonly definition = segmentsRoom;
  readonly contributes: RoomContributions;
  readonly vocabularies = new NamedRegistry<RuleVocabulary>('rule vocabulary');
  readonly segments: SegmentService;
  /** Counts over the live audience for operators (the bot's `stats`). */
  readonly stats: AudienceStats;

  constructor(deps: { config: Config; db: Database; clock: Clock; labels: () => TagLabels }) {
    this.segments = new SegmentService(deps.db, deps.clock, deps.labels, () =>
      this.vocabularies.list().flatMap((vocabulary) => vocabulary.eventTypes.map((entry) => entry.type)),
    );
    this.stats = new AudienceStats(deps.db);
    this.contributes = {
      jobs: [segmentCountsJob(this.segments, deps.config.timezone)],
      personData: segmentPersonData(deps.db),
    };
  }
}

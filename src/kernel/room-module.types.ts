import type { PipelineGroupStage, PipelineStage } from '../ingest/event-pipeline';
import type { JobDefinition } from '../jobs/job.types';
import type { PersonDataHandler } from '../profiles/person-data';
import type { AppendListener } from '../timeline/timeline.service';

/**
 * What a room is, for the rest of the house: its name (its folder under `src/`), the tables it owns and its public
 * surface. Only the room's own files write SQL naming those tables, and another room imports only the files of its
 * surface (both checked by `npm run lint`, scripts/check-room-boundaries.ts). `readsEveryRoom`: a read model that may
 * read any room's tables, never write them (segments alone). Doors (http, the bot, the plugin host) declare no
 * surface: they stand above the rooms and use what they need.
 */
export interface RoomDefinition {
  readonly room: string;
  readonly tables: readonly string[];
  /** The files (names without `.ts`) other rooms may import: its services, lookups, ports and types. */
  readonly surface?: readonly string[];
  readonly readsEveryRoom?: true;
}

/**
 * The order stages run in for each event, inside its transaction. A room's stage names its phase; the pipeline runs
 * the phases in this order, whichever order the modules are built in.
 */
export const pipelinePhases = [
  /** Follow state, first touch and attributes: what rules then read. */
  'profile-state',
  /** Tags an event carries itself (a CRM's tag edits). */
  'event-tags',
  /** Scores, thresholds, keyword interests and rule tags, over the state above. */
  'rules',
] as const;

export type PipelinePhase = (typeof pipelinePhases)[number];

/** What a room adds to the shared mechanisms: the composition root (src/app.ts) plugs each in. */
export interface RoomContributions {
  /** Per-event pipeline stages, each at its phase. */
  readonly stages?: readonly { phase: PipelinePhase; stage: PipelineStage }[];
  /** Stages run once per inbox transaction, after every per-event stage. */
  readonly groupStages?: readonly PipelineGroupStage[];
  /** Called for every timeline event appended, in the appending transaction. */
  readonly timelineListeners?: readonly AppendListener[];
  /** Scheduled jobs. */
  readonly jobs?: readonly JobDefinition[];
  /** What the room keeps about a person: exported, merged and erased through it. */
  readonly personData?: PersonDataHandler;
  /** Prometheus gauges read at scrape time. */
  readonly gauges?: readonly { name: string; help: string; read(): Promise<number> }[];
}

/** How Persona is being started (the console runs without a listener or WeChat connection). */
export interface StartOptions {
  listen?: boolean;
  wechaty?: boolean;
}

/** A room's running parts (workers, watchers, connections): started in the root's start order, stopped in reverse. */
export interface Lifecycle {
  start(options: StartOptions): Promise<void>;
  stop(): Promise<void>;
}

/** A room put together: its services (the module's own fields), what it contributes, and what it runs. */
export interface RoomModule {
  readonly definition: RoomDefinition;
  readonly contributes: RoomContributions;
  readonly lifecycle?: Lifecycle;
}

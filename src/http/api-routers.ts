import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import { type Migrator, migrationsAreCurrent } from '../db/migrator';
import type { InboundEvent } from '../ingest/inbound-event';
import type { Metrics } from '../metrics/metrics';
import type { AttributeService } from '../profiles/attribute.service';
import type { PersonDataExport } from '../profiles/person-data-export';
import type { ProfileEraser } from '../profiles/profile-eraser';
import type { ProfileMerger } from '../profiles/profile-merger';
import type { ProfileService } from '../profiles/profile.service';
import type { PushDeliveryWorker } from '../pushes/push-delivery.worker';
import type { PushClicks } from '../pushes/push-clicks';
import type { PushService } from '../pushes/push.service';
import type { OperatorTags } from '../rules/operator-tags';
import type { ProfileExplainer } from '../rules/profile-explainer';
import type { RulesBackfill } from '../rules/rules-backfill';
import type { RulesPreview } from '../rules/rules-preview';
import type { RulesProvider } from '../rules/rules-provider';
import type { SegmentService } from '../segments/segment.service';
import type { TimelineService } from '../timeline/timeline.service';
import type { WebhookDeliveryWorker } from '../webhooks/webhook-delivery.worker';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.repository';
import type { Authenticator } from './authenticator';
import type { AppState } from './http-state';
import { botRoutes } from './routes/bot.routes';
import { eventsRoutes } from './routes/events.routes';
import { healthRoutes } from './routes/health.routes';
import { linksRoutes } from './routes/links.routes';
import { metricsRoutes } from './routes/metrics.routes';
import { profilesRoutes } from './routes/profiles.routes';
import { pushesRoutes } from './routes/pushes.routes';
import { rulesRoutes } from './routes/rules.routes';
import { segmentsRoutes } from './routes/segments.routes';
import { tagsRoutes } from './routes/tags.routes';
import { webhooksRoutes } from './routes/webhooks.routes';
import type { Clock } from '../util/clock';

export interface ApiRouterDeps {
  authenticator: Authenticator;
  clock: Clock;
  log: Logger;
  shuttingDown(): boolean;
}

/** The services Persona's own routes stand on (the composition root hands over itself). */
export interface ApiServices {
  readonly config: Config;
  readonly db: Database;
  readonly migrator: Migrator;
  readonly metrics: Metrics;
  readonly profiles: ProfileService;
  readonly attributes: AttributeService;
  readonly timeline: TimelineService;
  readonly merger: ProfileMerger;
  readonly eraser: ProfileEraser;
  readonly outbox: WebhookOutbox;
  readonly webhooks: Pick<WebhookDeliveryWorker, 'wake'>;
  readonly segments: SegmentService;
  readonly pushesModule: { readonly clicks: PushClicks };
  readonly pushes: PushService;
  readonly pushWorker: Pick<PushDeliveryWorker, 'wake'>;
  readonly rulesModule: {
    readonly operatorTags: OperatorTags;
    readonly explainer: ProfileExplainer;
    readonly preview: RulesPreview;
    readonly backfill: RulesBackfill;
  };
  readonly bot: Parameters<typeof botRoutes>[0]['bot'];
  readonly rules: RulesProvider;
  readonly personExport: PersonDataExport;
  accept(source: string, events: InboundEvent[]): Promise<{ duplicates: number }>;
}

/** Persona's own routes (plugins add theirs through the route registry), each over the services it needs. */
export function apiRouters(persona: ApiServices, deps: ApiRouterDeps): Router<AppState>[] {
  const { authenticator, clock, log } = deps;
  const { config, db } = persona;
  const bodyLimitBytes = config.server.bodyLimitKb * 1024;
  return [
    healthRoutes({
      shuttingDown: deps.shuttingDown,
      database: () => db.ping(),
      migrationsCurrent: () => migrationsAreCurrent(persona.migrator),
    }),
    metricsRoutes(persona.metrics),
    eventsRoutes({
      authenticator,
      metrics: persona.metrics,
      bodyLimitBytes,
      maxBatch: config.ingest.maxBatch,
      clock: deps.clock,
      accept: (source, events) => persona.accept(source, events),
    }),
    profilesRoutes({
      authenticator,
      profiles: persona.profiles,
      timeline: persona.timeline,
      merger: persona.merger,
      bodyLimitBytes,
      clock: deps.clock,
      erase: (profileId, actor) => persona.eraser.erase(profileId, actor),
      exportPerson: (profileId, actor) => persona.personExport.export(profileId, actor),
      updateAttributes: (requestedId, values) => persona.attributes.editAsOperator(requestedId, values),
    }),
    webhooksRoutes({ authenticator, outbox: persona.outbox, wake: () => persona.webhooks.wake() }),
    segmentsRoutes({ authenticator, segments: persona.segments, bodyLimitBytes }),
    linksRoutes({ clicks: persona.pushesModule.clicks }),
    pushesRoutes({ authenticator, pushes: persona.pushes, bodyLimitBytes, wake: () => persona.pushWorker.wake() }),
    tagsRoutes({
      authenticator,
      operatorTags: persona.rulesModule.operatorTags,
      profiles: persona.profiles,
      bodyLimitBytes,
    }),
    botRoutes({ authenticator, bot: persona.bot }),
    rulesRoutes({
      authenticator,
      rules: persona.rules,
      explainer: persona.rulesModule.explainer,
      preview: persona.rulesModule.preview,
      backfill: persona.rulesModule.backfill,
      clock,
      log: log.child({ room: 'rules' }),
      bodyLimitBytes,
    }),
  ];
}

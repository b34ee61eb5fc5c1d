import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import type { Persona } from '../app';
import { migrationsAreCurrent } from '../db/migrator';
import { liveProfileId } from '../profiles/live-profile';
import type { ProfileEraser } from '../profiles/profile-eraser';
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
  eraser: ProfileEraser;
  clock: Clock;
  log: Logger;
  shuttingDown(): boolean;
}

/** Persona's own routes (plugins add theirs through the route registry), each over the services it needs. */
export function apiRouters(persona: Persona, deps: ApiRouterDeps): Router<AppState>[] {
  const { authenticator, clock, log } = deps;
  const { config, db } = persona;
  const bodyLimitBytes = config.server.bodyLimitKb * 1024;
  return [
    healthRoutes({ shuttingDown: deps.shuttingDown, database: () => db.ping(), migrationsCurrent: () => migrationsAreCurrent(persona.migrator) }),
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
      erase: (profileId, actor) => deps.eraser.erase(profileId, actor),
      updateAttributes: (requestedId, values) =>
        db.transaction(async (transaction) => {
          const profileId = await liveProfileId(db, requestedId, transaction, { lock: true });
          const changed = await persona.attributes.apply({ profileId, values, source: 'operator', at: deps.clock(), key: `operator:${randomUUID()}` }, transaction);
          return { profileId, changed };
        }),
    }),
    webhooksRoutes({ authenticator, outbox: persona.outbox, wake: () => persona.webhooks.wake() }),
    segmentsRoutes({ authenticator, segments: persona.segments, bodyLimitBytes }),
    linksRoutes({ clicks: persona.pushEngine.clicks }),
    pushesRoutes({ authenticator, pushes: persona.pushes, bodyLimitBytes, wake: () => persona.pushWorker.wake() }),
    tagsRoutes({ authenticator, operatorTags: persona.engine.operatorTags, profiles: persona.profiles, bodyLimitBytes }),
    botRoutes({ authenticator, bot: persona.bot }),
    rulesRoutes({
      authenticator,
      rules: persona.rules,
      explainer: persona.engine.explainer,
      preview: persona.engine.preview,
      backfill: persona.engine.backfill,
      clock,
      log: log.child({ room: 'rules' }),
      bodyLimitBytes,
    }),
  ];
}

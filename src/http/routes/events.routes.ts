import Router from '@koa/router';
import { toInboundEvent } from '../../ingest/api-event.schema';
import type { InboundEvent } from '../../ingest/inbound-event';
import type { Metrics } from '../../metrics/metrics';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { batchIntake } from '../batch-intake';
import type { Clock } from '../../util/clock';

export interface EventsRouteDeps {
  authenticator: Authenticator;
  metrics: Metrics;
  bodyLimitBytes: number;
  maxBatch: number;
  clock: Clock;
  /** Durably stores the events; resolves once they are safe, with how many were stored before (by their ids). */
  accept(source: string, events: InboundEvent[]): Promise<{ duplicates: number }>;
}

/**
 * `POST /api/events`: one event, or `{ "events": [...] }` with up to `maxBatch`. Each event is checked on its own:
 * valid ones are stored before the answer (202, with how many of them were stored already), invalid ones are
 * reported by index. All invalid → 400.
 */
export function eventsRoutes(deps: EventsRouteDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.post(
    '/api/events',
    requireAuth(deps.authenticator, 'write'),
    batchIntake({
      noun: 'event',
      bodyLimitBytes: deps.bodyLimitBytes,
      maxBatch: deps.maxBatch,
      envelope: 'one-or-events',
      contentType: 'application/json',
      converter: () => toInboundEvent,
      submit: (events, { state }) => {
        // A write key states attributes as itself, whatever channel its events name: `channel: operator` is a
        // channel, not the operator's authority. The admin token may state them as any channel.
        const statedBy = state.principal?.kind === 'write-key' ? state.principal.source : undefined;
        return deps.accept('api', statedBy ? events.map((event) => ({ ...event, attributeSource: statedBy })) : events);
      },
      observe: (outcome, count) => deps.metrics.ingestEvents.inc({ source: 'api', outcome }, count),
      clock: deps.clock,
    }),
  );
  return router;
}

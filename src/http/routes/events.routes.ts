import Router from '@koa/router';
import { ValidationError } from '../../errors/validation.error';
import { toInboundEvent } from '../../ingest/api-event.schema';
import { partitionEvents } from '../../ingest/event-batch';
import type { InboundEvent } from '../../ingest/inbound-event';
import type { Metrics } from '../../metrics/metrics';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { readJsonBody } from '../read-body';
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
  router.post('/api/events', requireAuth(deps.authenticator, 'write'), async (ctx) => {
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    const batch = isBatch(json);
    const items: unknown[] = batch ? (json as { events: unknown[] }).events : [json];
    if (items.length === 0) throw new ValidationError('events: expected at least one event');
    if (items.length > deps.maxBatch) {
      throw new ValidationError(`events: at most ${deps.maxBatch} events per request, got ${items.length}`);
    }

    const receivedAt = deps.clock();
    const { accepted, rejected } = partitionEvents(items, (item) => toInboundEvent(item, receivedAt), receivedAt);

    deps.metrics.ingestEvents.inc({ source: 'api', outcome: 'rejected' }, rejected.length);
    if (accepted.length === 0) {
      throw new ValidationError(batch ? 'no event in the batch is valid' : 'the event is not valid', {
        errors: rejected,
      });
    }
    // A write key states attributes as itself, whatever channel its events name: `channel: operator` is a channel,
    // not the operator's authority. The admin token may state them as any channel.
    const principal = ctx.state.principal;
    const statedBy = principal?.kind === 'write-key' ? principal.source : undefined;
    const { duplicates } = await deps.accept(
      'api',
      statedBy ? accepted.map((event) => ({ ...event, attributeSource: statedBy })) : accepted,
    );
    deps.metrics.ingestEvents.inc({ source: 'api', outcome: 'accepted' }, accepted.length);
    ctx.status = 202;
    // `duplicates`: accepted events the inbox already held (a retry), so an integrator can tell a retry from new data.
    ctx.body = { accepted: accepted.length, duplicates, rejected: rejected.length, errors: rejected };
  });
  return router;
}

function isBatch(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError('expected an event object or {"events": [...]}');
  }
  if (!('events' in json)) return false;
  if (!Array.isArray((json as { events: unknown }).events)) throw new ValidationError('events: expected an array');
  return true;
}

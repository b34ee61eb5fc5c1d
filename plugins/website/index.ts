import { z } from 'zod';
import {
  type AppContext,
  definePlugin,
  intBetween,
  partitionEvents,
  readRawBody,
  secret,
  ValidationError,
  verifyTimestampedHmac,
} from '../../src/plugins/plugin-sdk';
import { beaconTypes, toInboundEvent } from './beacon.schema';

const configSchema = z
  .object({
    /** Shared with the site's backend, which signs beacons. */
    secret: secret({ minLength: 16 }),
    /** Oldest accepted X-Persona-Timestamp, in seconds; 0 = no check. */
    toleranceSeconds: intBetween(0, 86_400).default(300),
    /** Most beacons in one request. */
    maxBatch: intBetween(1, 1000).default(100),
    /** Largest body, in KB. */
    bodyLimitKb: intBetween(1, 4096).default(256),
  })
  .strict();

/**
 * Website and app beacons (page views, article reads, favourites, searches, purchases…), signed by the site's backend
 * with a shared secret and fed into the same inbox as every other source.
 */
export default definePlugin({
  name: 'website',
  description: 'POST /webhooks/website: signed page-view and article beacons',
  configSchema,
  setup(context) {
    const { config } = context;
    context.vocabularies.register({ name: 'website', eventTypes: beaconTypes.map((type) => ({ type })) });
    context.http.route({
      method: 'POST',
      path: '/webhooks/website',
      auth: 'none',
      handler: async (ctx: AppContext) => {
        const raw = await readRawBody(ctx, config.bodyLimitKb * 1024);
        verifyTimestampedHmac({
          secret: config.secret.reveal(),
          timestamp: ctx.get('x-persona-timestamp') || undefined,
          signature: ctx.get('x-persona-signature') || undefined,
          rawBody: raw,
          toleranceSeconds: config.toleranceSeconds,
          now: context.clock().getTime(),
        });
        const items = parseBeacons(raw, config.maxBatch);
        const receivedAt = context.clock();
        const { accepted: events, rejected: errors } = partitionEvents(
          items,
          (item) => toInboundEvent(item, receivedAt),
          receivedAt,
        );
        if (events.length === 0) throw new ValidationError('no valid beacon in the request', { errors });
        await context.inbound.submit(events);
        ctx.status = 202;
        ctx.body = { accepted: events.length, rejected: errors.length, errors };
      },
    });
  },
});

function parseBeacons(raw: Buffer, maxBatch: number): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('the body is not valid JSON');
  }
  const items = (json as { events?: unknown })?.events ?? json;
  const list = Array.isArray(items) ? items : [items];
  if (list.length === 0) throw new ValidationError('events: expected at least one beacon');
  if (list.length > maxBatch) throw new ValidationError(`events: at most ${maxBatch} beacons per request`);
  return list;
}

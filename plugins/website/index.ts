import { z } from 'zod';
import { batchIntake, definePlugin, intBetween, secret, verifyTimestampedHmac } from '../../src/plugins/plugin-sdk';
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
      handler: batchIntake({
        noun: 'beacon',
        bodyLimitBytes: config.bodyLimitKb * 1024,
        maxBatch: config.maxBatch,
        envelope: 'any',
        verify: (raw, ctx) =>
          verifyTimestampedHmac({
            secret: config.secret.reveal(),
            timestamp: ctx.get('x-persona-timestamp') || undefined,
            signature: ctx.get('x-persona-signature') || undefined,
            rawBody: raw,
            toleranceSeconds: config.toleranceSeconds,
            now: context.clock().getTime(),
          }),
        converter: () => toInboundEvent,
        submit: (events) => context.inbound.submit(events),
        clock: context.clock,
      }),
    });
  },
});

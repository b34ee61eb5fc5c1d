import { z } from 'zod';
import {
  batchIntake,
  definePlugin,
  intBetween,
  secret,
  slug,
  tagName,
  verifyTimestampedHmac,
} from '../../src/plugins/plugin-sdk';
import { toInboundEvent } from './crm-event.schema';

const configSchema = z
  .object({
    /** One entry per CRM: POST /webhooks/crm/<name>, signed with its own secret. */
    sources: z
      .array(z.object({ name: slug, secret: secret({ minLength: 16 }) }).strict())
      .min(1)
      .refine((sources) => new Set(sources.map((source) => source.name)).size === sources.length, {
        error: 'source names must be unique',
      }),
    /**
     * Lead statuses as tags, e.g. `{ MQL: crm/mql, SQL: crm/sql }`: a lead holds the tag of its current status and
     * loses the others when the status changes. Unmapped statuses only clear the mapped tags.
     */
    statusTags: z.record(z.string().min(1).max(64), tagName).default({}),
    /** Oldest accepted X-Persona-Timestamp, in seconds. */
    toleranceSeconds: intBetween(1, 3600).default(300),
    maxBatch: intBetween(1, 1000).default(500),
    bodyLimitKb: intBetween(1, 8192).default(1024),
  })
  .strict();

/**
 * The generic CRM webhook: leads and deals from any CRM that can sign a request (HMAC-SHA256 over
 * "<timestamp>.<raw body>", like Stripe), onto the lead's profile, idempotent by event id.
 */
export default definePlugin({
  name: 'crm-webhook',
  description: 'POST /webhooks/crm/<source>: signed lead and deal events',
  configSchema,
  setup(context) {
    const { config } = context;
    for (const source of config.sources) {
      context.http.route({
        method: 'POST',
        path: `/webhooks/crm/${source.name}`,
        auth: 'none',
        handler: batchIntake({
          noun: 'event',
          bodyLimitBytes: config.bodyLimitKb * 1024,
          maxBatch: config.maxBatch,
          envelope: 'events',
          verify: (raw, ctx) =>
            verifyTimestampedHmac({
              secret: source.secret.reveal(),
              timestamp: ctx.get('x-persona-timestamp') || undefined,
              signature: ctx.get('x-persona-signature') || undefined,
              rawBody: raw,
              toleranceSeconds: config.toleranceSeconds,
              now: context.clock().getTime(),
            }),
          converter: () => (item, receivedAt) => toInboundEvent(item, source.name, receivedAt, config.statusTags),
          submit: (events) =>
            context.inbound.submit(events.map((event) => ({ ...event, key: `${source.name}:${event.key}` }))),
          clock: context.clock,
        }),
      });
    }
  },
});

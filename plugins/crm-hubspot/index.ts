import { z } from 'zod';
import {
  batchIntake,
  definePlugin,
  intBetween,
  secret,
  ServiceUnavailableError,
  tagName,
} from '../../src/plugins/plugin-sdk';
import { HubspotClient, type HubspotObject } from './hubspot-client';
import { HubspotUnavailableError } from './hubspot.errors';
import {
  contactProperties,
  dealProperties,
  type HubspotEvent,
  type HubspotMapping,
  neededObject,
  type ParsedHubspotEvent,
  parseHubspotEvent,
  toInboundEvent,
} from './hubspot-event';
import { verifyHubspotSignature } from './hubspot-signature';

const configSchema = z
  .object({
    /** The app's client secret: the key of X-HubSpot-Signature-v3. */
    clientSecret: secret({ minLength: 8 }),
    /** A private app's access token for the CRM API (contact and deal properties). */
    accessToken: secret({ minLength: 8 }),
    apiBaseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default('https://api.hubapi.com'),
    /**
     * The webhook URL exactly as configured in HubSpot (it is part of the signature), e.g.
     * `https://persona.example.com/webhooks/hubspot`. Unset: taken from the request (set `server.trustProxy` behind
     * a proxy so the scheme and host are the public ones).
     */
    webhookUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    /** Oldest accepted X-HubSpot-Request-Timestamp, in seconds. */
    toleranceSeconds: intBetween(1, 3600).default(300),
    /** The contact property holding the lead status. */
    statusProperty: z.string().min(1).max(100).default('lifecyclestage'),
    /** Lead statuses as tags, e.g. `{ marketingqualifiedlead: crm/mql }`; a contact holds one at a time. */
    statusTags: z.record(z.string().min(1).max(100), tagName).default({}),
    /** Deal stages that mean won and lost. */
    wonStages: z.array(z.string().min(1)).default(['closedwon']),
    lostStages: z.array(z.string().min(1)).default(['closedlost']),
    /** Currency of deals without `deal_currency_code`. */
    defaultCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 code such as CNY' })
      .default('CNY'),
    /** HubSpot waits 5 s for an answer: reading its API must be done by then, in milliseconds. */
    answerWithinMs: intBetween(500, 20_000).default(4000),
    /** One API request's time limit, in milliseconds. */
    requestTimeoutMs: intBetween(100, 20_000).default(2000),
    /** Retries of a rate-limited (429) or failing (5xx) API request; Retry-After is honoured. */
    maxRetries: intBetween(0, 10).default(3),
    retryBaseMs: intBetween(1, 10_000).default(200),
    /** API reads in flight at once. */
    concurrency: intBetween(1, 20).default(4),
    maxBatch: intBetween(1, 1000).default(100),
    bodyLimitKb: intBetween(1, 8192).default(1024),
  })
  .strict();

/**
 * HubSpot: contact and deal webhooks (signature v3), with the contact's properties read from HubSpot's CRM API
 * before the events go to the inbox. If the API can't be read in time the webhook is answered 503 and nothing is
 * stored; HubSpot delivers it again later, and event ids make the retry land once.
 */
export default definePlugin({
  name: 'crm-hubspot',
  description: 'POST /webhooks/hubspot: HubSpot contact and deal webhooks',
  configSchema,
  setup(context) {
    const { config } = context;
    const client = new HubspotClient({
      baseUrl: config.apiBaseUrl,
      accessToken: config.accessToken.reveal(),
      timeoutMs: config.requestTimeoutMs,
      maxRetries: config.maxRetries,
      retryBaseMs: config.retryBaseMs,
      clock: context.clock,
    });
    const mapping: HubspotMapping = config;
    context.http.route({
      method: 'POST',
      path: '/webhooks/hubspot',
      auth: 'none',
      handler: batchIntake({
        noun: 'HubSpot event',
        bodyLimitBytes: config.bodyLimitKb * 1024,
        maxBatch: config.maxBatch,
        envelope: 'array',
        verify: (raw, ctx) =>
          verifyHubspotSignature({
            clientSecret: config.clientSecret.reveal(),
            method: ctx.method,
            uri: config.webhookUrl
              ? `${config.webhookUrl}${ctx.search}`
              : `${ctx.protocol}://${ctx.host}${ctx.originalUrl}`,
            rawBody: raw,
            timestamp: ctx.get('x-hubspot-request-timestamp') || undefined,
            signature: ctx.get('x-hubspot-signature-v3') || undefined,
            toleranceSeconds: config.toleranceSeconds,
            now: context.clock().getTime(),
          }),
        // Validate every item, read what the valid ones need from HubSpot, then convert; errors keep their index.
        converter: async (items, { startedMs }) => {
          const parsed = new Map(items.map((item) => [item, parseHubspotEvent(item)]));
          const valid = [...parsed.values()].flatMap((result) => (result.ok ? [result.event] : []));
          const fetched = await fetchObjects(valid, startedMs + config.answerWithinMs).catch((error: unknown) => {
            if (error instanceof HubspotUnavailableError)
              throw new ServiceUnavailableError(`${error.message}; deliver again later`);
            throw error;
          });
          return (item, receivedAt) => {
            const result = parsed.get(item) as ParsedHubspotEvent;
            return result.ok
              ? toInboundEvent(result.event, fetched.get(objectKey(result.event)), mapping, receivedAt)
              : { problems: result.problems };
          };
        },
        submit: (events) => context.inbound.submit(events),
        // 200 even with rejections: HubSpot would only deliver the same invalid events again.
        whenNoneValid: 'answer',
        status: 200,
        clock: context.clock,
      }),
    });

    /** Every object the events need, each read once, `concurrency` at a time. */
    async function fetchObjects(events: HubspotEvent[], deadline: number): Promise<Map<string, HubspotObject | null>> {
      const wanted = new Map<string, { type: 'contacts' | 'deals'; id: string }>();
      for (const event of events) {
        const needed = neededObject(event);
        if (needed) wanted.set(`${needed.type}:${needed.id}`, needed);
      }
      const results = new Map<string, HubspotObject | null>();
      const queue = [...wanted.entries()];
      await Promise.all(
        Array.from({ length: Math.min(config.concurrency, queue.length) }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            const [key, { type, id }] = next;
            const query =
              type === 'contacts'
                ? { properties: contactProperties(mapping) }
                : { properties: dealProperties, associations: ['contacts'] };
            results.set(key, await client.object(type, id, query, deadline));
          }
        }),
      );
      return results;
    }
  },
});

function objectKey(event: HubspotEvent): string {
  const needed = neededObject(event);
  return needed ? `${needed.type}:${needed.id}` : '';
}

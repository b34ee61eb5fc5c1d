import { z } from 'zod';
import { intBetween, secret, slug } from '../config/config-fields';
import { webhookEventNames } from './webhook-events';

/** Outbound webhooks: profile changes sent to the CRM (or anything else), signed, from a durable outbox. */
export const webhookConfigSchema = z
  .object({
    /** Who receives what. Each gets its own signature secret and the events it names. */
    subscribers: z
      .array(
        z
          .object({
            name: slug,
            url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
            secret: secret({ minLength: 16 }),
            events: z.array(z.enum(webhookEventNames)).min(1),
          })
          .strict(),
      )
      .default([])
      .refine((subscribers) => new Set(subscribers.map((subscriber) => subscriber.name)).size === subscribers.length, {
        error: 'subscriber names must be unique',
      }),
    /** Attempts before a delivery is parked as failed (the dead-letter list). */
    maxAttempts: intBetween(1, 100).default(10),
    /** First retry delay in milliseconds; doubles per attempt (capped at an hour); a Retry-After answer is honoured. */
    retryBaseMs: intBetween(10, 3_600_000).default(5000),
    /** How long one delivery may take, in milliseconds. */
    timeoutMs: intBetween(100, 120_000).default(10_000),
    /** How often an idle delivery worker looks for due deliveries, in milliseconds. */
    pollIntervalMs: intBetween(10, 60_000).default(1000),
    /** Deliveries claimed at once. */
    batchSize: intBetween(1, 1000).default(50),
    /** How long claimed deliveries are reserved before another instance may take them over, in milliseconds. */
    leaseMs: intBetween(1000, 3_600_000).default(120_000),
    /** Deliver in this process (every instance may; leases keep them apart). */
    enabled: z.boolean().default(true),
  })
  .strict();

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { normalizeAttributes } from '../profiles/attribute-catalog';
import type { IdentityType } from '../profiles/identity';
import { normalizeIdentityFields } from '../profiles/identity-normalizer';
import { type FieldProblem, toFieldProblems } from './field-problem';
import type { InboundEvent } from './inbound-event';
import { channelPattern, eventTypePattern } from './storable-event';

/**
 * API identity field → identity type: the types as answers spell them, and the camelCase spellings the API took
 * before (`crmId`, `anonymousId`), still accepted.
 */
const identityFields = {
  email: 'email',
  phone: 'phone',
  openid: 'openid',
  unionid: 'unionid',
  crm_id: 'crm_id',
  anonymous_id: 'anonymous_id',
  crmId: 'crm_id',
  anonymousId: 'anonymous_id',
} as const satisfies Record<string, IdentityType>;

const camelCaseSpellings = { crmId: 'crm_id', anonymousId: 'anonymous_id' } as const;

const identityValue = z.string().min(1).max(255);

// Its range (after 2000, at most a day ahead) is every inbound event's: partitionEvents checks it.
const occurredAt = z
  .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], {
    error: 'expected an ISO 8601 time with a time zone (2026-11-22T10:00:00.000+08:00) or epoch milliseconds',
  })
  .transform((value) => new Date(value));

/** One event of `POST /api/events`. */
export const apiEventSchema = z
  .object({
    id: z.string().min(1).max(128).optional(),
    type: z.string({ error: 'expected an event type such as page_view' }).max(64).regex(eventTypePattern, {
      error: 'expected a lower-case event type such as page_view or lead.created',
    }),
    channel: z.string().max(64).regex(channelPattern, { error: 'expected a lower-case channel name' }).optional(),
    occurredAt: occurredAt.optional(),
    identities: z
      .object(
        {
          email: identityValue.optional(),
          phone: identityValue.optional(),
          openid: identityValue.optional(),
          unionid: identityValue.optional(),
          crm_id: identityValue.optional(),
          anonymous_id: identityValue.optional(),
          crmId: identityValue.optional(),
          anonymousId: identityValue.optional(),
        },
        { error: 'expected an object of identities, e.g. {"email": "a@b.com"}' },
      )
      .strict(),
    // Size and depth are every inbound event's bounds: partitionEvents checks them.
    properties: z.record(z.string(), z.unknown(), { error: 'expected an object' }).optional(),
    attributes: z.record(z.string(), z.unknown(), { error: 'expected an object of attributes' }).optional(),
  })
  .strict();

export type ApiEvent = z.output<typeof apiEventSchema>;

export type { FieldProblem } from './field-problem';

/**
 * Validates and normalizes one API event. Answers the inbound event, or every problem found (field path and message)
 * so the caller can report it by index.
 */
export function toInboundEvent(input: unknown, receivedAt: Date): InboundEvent | { problems: FieldProblem[] } {
  const parsed = apiEventSchema.safeParse(input);
  if (!parsed.success) return { problems: toFieldProblems(parsed.error.issues) };
  const event = parsed.data;
  const { identities, problems } = normalizeIdentityFields(event.identities, identityFields, 'identities.');
  for (const [camel, snake] of Object.entries(camelCaseSpellings)) {
    if (
      event.identities[camel as keyof typeof camelCaseSpellings] !== undefined &&
      event.identities[snake] !== undefined
    ) {
      problems.push({ path: `identities.${camel}`, message: `is ${snake} spelled the old way: give it once` });
    }
  }
  if (identities.length === 0 && problems.length === 0) {
    problems.push({
      path: 'identities',
      message: 'expected at least one identity (email, phone, openid, unionid, crm_id or anonymous_id)',
    });
  }
  const { values: attributes, problems: attributeProblems } = normalizeAttributes(event.attributes ?? {}, receivedAt);
  problems.push(...attributeProblems);
  if (problems.length > 0) return { problems };
  return {
    attributes,
    key: event.id ?? randomUUID(),
    type: event.type,
    channel: event.channel ?? 'api',
    occurredAt: event.occurredAt ?? receivedAt,
    identities,
    properties: event.properties ?? {},
  };
}

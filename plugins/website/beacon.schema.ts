import { z } from 'zod';
import {
  type FieldProblem,
  type IdentityType,
  type InboundEvent,
  normalizeIdentityFields,
  toFieldProblems,
} from '../../src/plugins/plugin-sdk';

/** What a website or app may report: the behaviour half of the shared event vocabulary. */
export const beaconTypes = [
  'page_view',
  'article_view',
  'article_favorite',
  'article_share',
  'search',
  'form_submit',
  'add_to_cart',
  'purchase',
  'push_click',
] as const;

const identityFields = {
  anonymousId: 'anonymous_id',
  email: 'email',
  phone: 'phone',
  openid: 'openid',
  unionid: 'unionid',
} as const satisfies Record<string, IdentityType>;

const text = (max: number) => z.string().max(max);

/**
 * One beacon, as a page or app sends it (flat, the way trackers do): `id` makes retries safe, `anonymousId` is the
 * visitor cookie, the other identities come once the visitor signs in. `url`, `referrer` and `title` join the
 * properties.
 */
export const beaconSchema = z
  .object({
    id: z.string().min(1).max(128),
    type: z.enum(beaconTypes, { error: `expected one of ${beaconTypes.join(', ')}` }),
    channel: z.enum(['website', 'app']).default('website'),
    occurredAt: z
      .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], {
        error: 'expected an ISO 8601 time with a time zone or epoch milliseconds',
      })
      .optional(),
    anonymousId: text(128).optional(),
    email: text(255).optional(),
    phone: text(64).optional(),
    openid: text(128).optional(),
    unionid: text(128).optional(),
    url: text(2048).optional(),
    referrer: text(2048).optional(),
    title: text(512).optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export function toInboundEvent(input: unknown, receivedAt: Date): InboundEvent | { problems: FieldProblem[] } {
  const parsed = beaconSchema.safeParse(input);
  if (!parsed.success) return { problems: toFieldProblems(parsed.error.issues, '(beacon)') };
  const beacon = parsed.data;
  const { anonymousId, email, phone, openid, unionid } = beacon;
  const { identities, problems } = normalizeIdentityFields(
    { anonymousId, email, phone, openid, unionid },
    identityFields,
  );
  if (identities.length === 0 && problems.length === 0) {
    problems.push({ path: 'anonymousId', message: 'expected anonymousId or another identity' });
  }
  if (problems.length > 0) return { problems };
  const page = Object.fromEntries(
    Object.entries({ url: beacon.url, referrer: beacon.referrer, title: beacon.title }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  return {
    key: beacon.id,
    type: beacon.type,
    channel: beacon.channel,
    // Its range, and the size and depth of the properties, are every inbound event's: partitionEvents checks them.
    occurredAt: beacon.occurredAt === undefined ? receivedAt : new Date(beacon.occurredAt),
    identities,
    properties: { ...beacon.properties, ...page },
  };
}

import { z } from 'zod';
import {
  type AttributeValue,
  type FieldProblem,
  type InboundEvent,
  type IdentityType,
  normalizeAttributes,
  statusTagEdit,
  normalizeIdentity,
  normalizeIdentityFields,
  toFieldProblems,
} from '../../src/plugins/plugin-sdk';

/** CRM event types → timeline event types. */
const eventTypes = {
  'lead.created': 'lead_created',
  'lead.updated': 'lead_updated',
  'lead.status_changed': 'lead_status_changed',
  'lead.deleted': 'lead_deleted',
  'deal.won': 'deal_won',
  'deal.lost': 'deal_lost',
} as const;

const text = (max: number) => z.string().max(max);

const leadSchema = z
  .object({
    id: z.string().min(1).max(128),
    email: text(255).optional(),
    phone: text(64).optional(),
    name: text(128).optional(),
    city: text(128).optional(),
    company: text(128).optional(),
    status: text(64).optional(),
    /** The status before this change, when the CRM sends it (lead.status_changed). */
    previousStatus: text(64).optional(),
    wechatUnionId: text(128).optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const dealSchema = z
  .object({
    id: z.string().min(1).max(128),
    /** In major units (yuan): 1299.5 is stored as 129950 fen. */
    amount: z.number().nonnegative().max(1e12).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { error: 'expected an ISO 4217 code such as CNY' })
      .default('CNY'),
    stage: text(64).optional(),
  })
  .strict();

export const crmEventSchema = z
  .object({
    id: z.string().min(1).max(128),
    type: z.enum(Object.keys(eventTypes) as [keyof typeof eventTypes], {
      error: `expected one of ${Object.keys(eventTypes).join(', ')}`,
    }),
    /** When it happened in the CRM; without it, when Persona received it (as `POST /api/events` does). */
    occurredAt: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time with a time zone' }).optional(),
    lead: leadSchema,
    deal: dealSchema.optional(),
  })
  .strict()
  .refine((event) => !event.type.startsWith('deal.') || event.deal, {
    error: 'deal events need a deal',
    path: ['deal'],
  });

/**
 * One CRM event → an inbound event on the lead's profile. The lead's CRM id is an identity scoped to this CRM source;
 * email, phone and the WeChat unionid link it to what Persona already knows. Lead fields become attributes with the
 * `crm` channel as their source; `crmStatus` keeps the lead status.
 */
export function toInboundEvent(
  input: unknown,
  source: string,
  receivedAt: Date,
  statusTags: Readonly<Record<string, string>> = {},
): InboundEvent | { problems: FieldProblem[] } {
  const parsed = crmEventSchema.safeParse(input);
  if (!parsed.success) return { problems: toFieldProblems(parsed.error.issues) };
  const event = parsed.data;
  const { lead, deal } = event;
  const identityFields: Record<string, IdentityType> = { email: 'email', phone: 'phone', wechatUnionId: 'unionid' };
  const { email, phone, wechatUnionId } = lead;
  const { identities, problems } = normalizeIdentityFields({ email, phone, wechatUnionId }, identityFields, 'lead.');
  const crmId = normalizeIdentity('crm_id', lead.id, source);
  if ('error' in crmId) problems.push({ path: 'lead.id', message: crmId.error });
  else identities.push(crmId);

  const stated: Record<string, unknown> = { ...lead.attributes };
  for (const field of ['name', 'city', 'company'] as const) if (lead[field] !== undefined) stated[field] = lead[field];
  if (lead.status !== undefined) stated.crmStatus = lead.status;
  const { values: attributes, problems: attributeProblems } = normalizeAttributes(
    stated,
    receivedAt,
    'lead.attributes.',
  );
  problems.push(...attributeProblems);
  if (problems.length > 0) return { problems };

  const properties: Record<string, unknown> = { crm: source, leadId: lead.id };
  if (event.type === 'lead.status_changed')
    Object.assign(properties, { from: lead.previousStatus ?? null, to: lead.status ?? null });
  if (deal) {
    Object.assign(properties, {
      dealId: deal.id,
      currency: deal.currency,
      ...(deal.stage ? { stage: deal.stage } : {}),
    });
    if (deal.amount !== undefined) properties.amount = Math.round(deal.amount * 100);
  }
  return {
    key: event.id,
    type: eventTypes[event.type],
    channel: 'crm',
    occurredAt: event.occurredAt === undefined ? receivedAt : new Date(event.occurredAt),
    identities,
    properties,
    attributes: event.type === 'lead.deleted' ? {} : (attributes as Record<string, AttributeValue | null>),
    ...(lead.status !== undefined && event.type !== 'lead.deleted'
      ? { tags: statusTagEdit(lead.status, statusTags) }
      : {}),
  };
}

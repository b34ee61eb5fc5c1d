import { z } from 'zod';
import {
  type AttributeValue,
  type FieldProblem,
  type Identity,
  type InboundEvent,
  normalizeAttributes,
  normalizeIdentity,
  statusTagEdit,
  toFieldProblems,
} from '../../src/plugins/plugin-sdk';
import type { HubspotObject } from './hubspot-client';

/** The identities of HubSpot objects are CRM ids in this scope. */
export const hubspotScope = 'hubspot';

export const handledTypes = [
  'contact.creation',
  'contact.propertyChange',
  'contact.deletion',
  'contact.merge',
  'deal.creation',
  'deal.propertyChange',
] as const;

const objectId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);

/** One event of a HubSpot webhook request (an array of these). HubSpot adds fields over time: unknown ones are kept. */
export const hubspotEventSchema = z.looseObject({
  eventId: objectId,
  portalId: objectId,
  occurredAt: z.number().int().positive(),
  subscriptionType: z.enum(handledTypes, { error: `expected one of ${handledTypes.join(', ')}` }),
  objectId,
  propertyName: z.string().max(256).optional(),
  propertyValue: z.string().max(65_536).nullable().optional(),
  primaryObjectId: objectId.optional(),
  mergedObjectIds: z.array(objectId).max(100).optional(),
});

export type HubspotEvent = z.output<typeof hubspotEventSchema>;

export interface HubspotMapping {
  /** The contact property that holds the lead status, e.g. `lifecyclestage` or `hs_lead_status`. */
  statusProperty: string;
  statusTags: Readonly<Record<string, string>>;
  wonStages: readonly string[];
  lostStages: readonly string[];
  defaultCurrency: string;
}

/** Contact properties Persona reads. */
export function contactProperties(mapping: HubspotMapping): string[] {
  return [
    ...new Set([
      'email',
      'phone',
      'mobilephone',
      'firstname',
      'lastname',
      'city',
      'state',
      'country',
      'company',
      'jobtitle',
      mapping.statusProperty,
    ]),
  ];
}

export const dealProperties = ['dealname', 'amount', 'dealstage', 'deal_currency_code'];

export type ParsedHubspotEvent = { ok: true; event: HubspotEvent } | { ok: false; problems: FieldProblem[] };

export function parseHubspotEvent(input: unknown): ParsedHubspotEvent {
  const parsed = hubspotEventSchema.safeParse(input);
  return parsed.success
    ? { ok: true, event: parsed.data }
    : { ok: false, problems: toFieldProblems(parsed.error.issues) };
}

/** What an event needs fetched from HubSpot before it can be placed: a contact's properties, or a deal and its contact. */
export function neededObject(event: HubspotEvent): { type: 'contacts' | 'deals'; id: string } | undefined {
  if (event.subscriptionType === 'contact.creation' || event.subscriptionType === 'contact.propertyChange')
    return { type: 'contacts', id: event.objectId };
  if (event.subscriptionType.startsWith('deal.')) return { type: 'deals', id: event.objectId };
  return undefined;
}

/**
 * One HubSpot event → an inbound event on the contact's profile. `fetched` is the object `neededObject` named
 * (null when HubSpot no longer has it). Contacts are identified by their HubSpot id (a CRM id scoped `hubspot`),
 * email and phone; their properties become attributes with the `crm` channel as source.
 */
export function toInboundEvent(
  event: HubspotEvent,
  fetched: HubspotObject | null | undefined,
  mapping: HubspotMapping,
  receivedAt: Date,
): InboundEvent | { problems: FieldProblem[] } {
  const base = { key: `${event.portalId}:${event.eventId}`, channel: 'crm', occurredAt: new Date(event.occurredAt) };
  const crmId = (id: string) => ({ type: 'crm_id', scope: hubspotScope, value: id }) as Identity;
  switch (event.subscriptionType) {
    case 'contact.deletion':
      return {
        ...base,
        type: 'lead_deleted',
        identities: [crmId(event.objectId)],
        properties: { crm: hubspotScope, leadId: event.objectId },
      };
    case 'contact.merge': {
      // HubSpot says these contacts are one person: their profiles merge through the shared event.
      const ids = [...new Set([event.primaryObjectId ?? event.objectId, ...(event.mergedObjectIds ?? [])])];
      return {
        ...base,
        type: 'lead_merged',
        identities: ids.map(crmId),
        properties: { crm: hubspotScope, leadId: ids[0], mergedLeadIds: ids.slice(1) },
      };
    }
    case 'contact.creation':
    case 'contact.propertyChange':
      return contactEvent(event, fetched ?? null, mapping, base, receivedAt);
    default:
      return dealEvent(event, fetched ?? null, mapping, base);
  }
}

type Base = Pick<InboundEvent, 'key' | 'channel' | 'occurredAt'>;

function contactEvent(
  event: HubspotEvent,
  contact: HubspotObject | null,
  mapping: HubspotMapping,
  base: Base,
  receivedAt: Date,
): InboundEvent | { problems: FieldProblem[] } {
  const properties = contact?.properties ?? {};
  const identities: Identity[] = [{ type: 'crm_id', scope: hubspotScope, value: event.objectId }];
  // A malformed email or phone in HubSpot must not cost the event: it just doesn't link anyone.
  for (const [type, value] of [
    ['email', properties.email],
    ['phone', properties.phone ?? properties.mobilephone],
  ] as const) {
    if (!value) continue;
    const identity = normalizeIdentity(type, value);
    if (!('error' in identity)) identities.push(identity);
  }
  const status = properties[mapping.statusProperty] ?? undefined;
  const stated: Record<string, unknown> = {};
  const name = personName(properties.firstname, properties.lastname);
  if (name) stated.name = name;
  for (const [attribute, property] of [
    ['city', 'city'],
    ['province', 'state'],
    ['country', 'country'],
    ['company', 'company'],
    ['title', 'jobtitle'],
  ] as const) {
    if (properties[property]) stated[attribute] = properties[property];
  }
  if (status) stated.crmStatus = status;
  const { values, problems } = normalizeAttributes(stated, receivedAt, 'contact.');
  if (problems.length > 0) return { problems };
  const statusChanged =
    event.subscriptionType === 'contact.propertyChange' && event.propertyName === mapping.statusProperty;
  const type =
    event.subscriptionType === 'contact.creation'
      ? 'lead_created'
      : statusChanged
        ? 'lead_status_changed'
        : 'lead_updated';
  return {
    ...base,
    type,
    identities,
    properties: {
      crm: hubspotScope,
      leadId: event.objectId,
      ...(event.propertyName ? { propertyName: event.propertyName } : {}),
      ...(statusChanged ? { to: event.propertyValue ?? null } : {}),
    },
    attributes: values as Record<string, AttributeValue | null>,
    ...(status ? { tags: statusTagEdit(status, mapping.statusTags) } : {}),
  };
}

function dealEvent(
  event: HubspotEvent,
  deal: HubspotObject | null,
  mapping: HubspotMapping,
  base: Base,
): InboundEvent | { problems: FieldProblem[] } {
  const contacts = deal?.associations?.contacts?.results ?? [];
  if (!deal || contacts.length === 0) {
    return {
      problems: [
        {
          path: 'objectId',
          message: deal ? 'the deal has no associated contact to put it on' : 'HubSpot no longer has this deal',
        },
      ],
    };
  }
  const properties = deal.properties;
  const stage =
    event.subscriptionType === 'deal.propertyChange' && event.propertyName === 'dealstage'
      ? (event.propertyValue ?? properties.dealstage)
      : properties.dealstage;
  let type = 'deal_updated';
  if (event.subscriptionType === 'deal.creation') type = 'deal_created';
  else if (event.propertyName === 'dealstage' && stage && mapping.wonStages.includes(stage)) type = 'deal_won';
  else if (event.propertyName === 'dealstage' && stage && mapping.lostStages.includes(stage)) type = 'deal_lost';
  const amount =
    properties.amount !== null && properties.amount !== undefined && properties.amount !== ''
      ? Number(properties.amount)
      : undefined;
  return {
    ...base,
    type,
    identities: [...new Set(contacts.map((contact) => contact.id))].map(
      (id) => ({ type: 'crm_id', scope: hubspotScope, value: id }) as Identity,
    ),
    properties: {
      crm: hubspotScope,
      dealId: event.objectId,
      ...(stage ? { stage } : {}),
      ...(amount !== undefined && Number.isFinite(amount) ? { amount: Math.round(amount * 100) } : {}),
      currency: properties.deal_currency_code || mapping.defaultCurrency,
      ...(event.propertyName ? { propertyName: event.propertyName } : {}),
    },
  };
}

/** Chinese names are family name first with no space (王 + 小明 → 王小明); others "first last". */
function personName(first: string | null | undefined, last: string | null | undefined): string | undefined {
  const parts = [first?.trim(), last?.trim()].filter((part): part is string => Boolean(part));
  if (parts.length === 0) return undefined;
  if (parts.every((part) => /^[\p{Script=Han}]+$/u.test(part)))
    return [last?.trim(), first?.trim()].filter(Boolean).join('');
  return parts.join(' ');
}

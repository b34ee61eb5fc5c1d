import type { AttributeValue } from '../profiles/attribute-catalog';
import type { Identity } from '../profiles/identity';

/**
 * An event as every source hands it to the inbox, already normalized: the API, the website beacon, WeChat and the
 * CRMs all produce this shape.
 */
export interface InboundEvent {
  /** Unique within its source (a client's event id, a WeChat MsgId…): the same key twice is one event. */
  key: string;
  /** From the shared vocabulary: `page_view`, `article_view`, `subscribe`, `lead_created`… */
  type: string;
  /** `wechat`, `website`, `app`, `crm`, `api` or a named offline channel. */
  channel: string | null;
  occurredAt: Date;
  /** At least one; they decide which profile the event lands on. */
  identities: Identity[];
  properties: Record<string, unknown>;
  /** Attributes the source states about the person (normalized; null clears). */
  attributes?: Record<string, AttributeValue | null>;
  /**
   * Who states the attributes, for `attributes.precedence`: set by the intake from who the caller is (a write key's
   * source), never from what the event says about itself. Unset: the channel, which plugins choose themselves.
   */
  attributeSource?: string;
  /** Tags the event gives or takes away (a CRM status maps to one), set with the event's channel as their source. */
  tags?: TagEdit;
}

export interface TagEdit {
  add?: string[];
  remove?: string[];
}

/** What the inbox stores for one event (JSON). */
export interface InboxPayload {
  type: string;
  channel: string | null;
  occurredAt: string;
  identities: Identity[];
  properties: Record<string, unknown>;
  attributes?: Record<string, AttributeValue | null>;
  attributeSource?: string;
  tags?: TagEdit;
}

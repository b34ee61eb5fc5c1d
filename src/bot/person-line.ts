import type { SegmentPreview } from '../segments/segment.service';
import type { Translate } from './message-catalog';

/** Contacts in the order a person is best recognised by. */
const contactOrder = ['phone', 'email', 'openid', 'unionid'];

/**
 * One person in a list (a preview's sample, lookup candidates): `#id`, the masked name, and the masked contact that
 * tells who it is best (a phone, else an email, else an openid).
 */
export function personLine(person: SegmentPreview['sample'][number], t: Translate): string {
  const contact = contactOrder
    .map((type) => person.identities.find((identity) => identity.type === type))
    .find((identity) => identity !== undefined);
  return [`#${person.id}`, person.name ?? t('card.unnamed'), ...(contact ? [contact.value] : [])].join(' ');
}

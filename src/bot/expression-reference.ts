import type { BotLocale } from './bot-command.types';
import type { BotServices } from './bot-services';
import { type MessageKey, translator } from './message-catalog';
import { shownTag } from './tag-names';

/** The reference's entries, in the order a newcomer meets them. */
export const referenceEntries = [
  'tag',
  'attribute',
  'age',
  'lifecycle',
  'score',
  'event',
  'amount',
  'activity',
  'segment',
  'combine',
] as const;

/** Values for the examples when the data has none yet. */
const fallbacks = { tag: 'vip', city: '上海', eventType: 'purchase', segment: 'vip' };

/** The examples' values: what the data holds (a tag by its label), else a plausible one. */
export async function referenceValues(
  services: Pick<BotServices, 'segments' | 'rules'>,
  locale: BotLocale,
): Promise<{ tag: string; city: string; event: string; segment: string }> {
  const held = { ...fallbacks, ...(await services.segments.examples()) };
  const tag = shownTag(services.rules.current.labels, held.tag, locale);
  // A label with a blank or a colon would not read as one value: the tag's name then.
  return { tag: /[\s:：]/u.test(tag) ? held.tag : tag, city: held.city, event: held.eventType, segment: held.segment };
}

/**
 * `/help expression`: the expression language by example, in the operator's words, each example with values from
 * the data so it can be tried as it is.
 */
export async function expressionReference(
  services: Pick<BotServices, 'segments' | 'rules'>,
  locale: BotLocale,
): Promise<string> {
  const t = translator(locale);
  const values = await referenceValues(services, locale);
  return [
    t('help.expression.title'),
    ...referenceEntries.map(
      (entry) =>
        `· ${t(`help.expression.${entry}` as MessageKey, values)} — ${t(`help.expression.${entry}.meaning` as MessageKey)}`,
    ),
  ].join('\n');
}

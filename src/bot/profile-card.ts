import type { BotLocale } from './bot-command.types';
import { maskIdentity } from '../logging/pii-mask';
import type { ProfileView } from '../profiles/profile.service';
import type { ProfileExplanation } from '../rules/profile-explainer';
import type { RuleSet } from '../rules/rule-set';
import type { TimelineEventView } from '../timeline/timeline.service';
import { localDate, localShortTime } from '../util/local-time';
import { translator } from './message-catalog';
import { formatMoney, vocabularyName } from '../i18n/vocabulary.messages';
import { shownStage, shownTag } from './tag-names';

/** Attributes a card shows, in this order. */
const shownAttributes = ['name', 'gender', 'ageBand', 'city', 'province', 'language', 'company', 'title'] as const;
/** Event properties a card shows: facts about the interaction, never text a follower wrote. */
const shownProperties = [
  'subtype',
  'topic',
  'articleId',
  'scene',
  'key',
  'amount',
  'to',
  'tag',
  'stage',
  'via',
  'reason',
  'pushId',
  'code',
];

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * A follower's card for chat: masked contact details, lifecycle, score per group with its top reasons, tags by
 * category (with their labels), first touch and the latest events, times in the account's zone.
 */
export function profileCard(input: {
  profile: ProfileView;
  explanation: ProfileExplanation;
  events: TimelineEventView[];
  rules: RuleSet;
  locale: BotLocale;
  timezone: string;
}): string {
  const { profile, explanation, rules, locale, timezone } = input;
  const t = translator(locale);
  const attributes = profile.attributes;
  const name = typeof attributes.name?.value === 'string' ? attributes.name.value : t('card.unnamed');
  const lines = [`👤 ${name} (#${profile.id})`];
  const contacts = profile.identities
    .filter((identity) => ['phone', 'email', 'openid', 'unionid'].includes(identity.type))
    .map(
      (identity) =>
        `${vocabularyName('identity', identity.type, locale)} ${maskIdentity(identity.type, identity.value)}`,
    );
  if (contacts.length > 0) lines.push(contacts.join(' · '));
  const facts = shownAttributes
    .filter((key) => key !== 'name' && attributes[key] !== undefined)
    .map((key) => `${vocabularyName('attribute', key, locale)} ${attributeValue(key, attributes[key].value, locale)}`);
  if (facts.length > 0) lines.push(facts.join(' · '));
  const following = profile.subscriptions
    .filter((subscription) => subscription.subscribed)
    .map((subscription) => subscription.account);
  const stage = profile.tags.find((tag) => tag.category === 'lifecycle')?.name.slice('lifecycle/'.length);
  lines.push(
    t('card.lifecycle', {
      stage: stage ? shownStage(rules.labels, stage, locale) : '—',
      following: following.length > 0 ? following.join(', ') : t('card.notFollowing'),
    }),
  );

  const { score } = explanation;
  const groups = score.groups
    .filter((group) => group.points !== 0)
    .map((group) => `${vocabularyName('scoreGroup', group.group, locale)} ${round(group.points)}`);
  lines.push(
    t('card.score', { total: round(score.total), groups: groups.length > 0 ? ` (${groups.join(', ')})` : '' }),
  );
  const reasons = score.groups
    .flatMap((group) => group.rules)
    .filter((rule) => rule.faded !== 0)
    .sort((a, b) => Math.abs(b.faded) - Math.abs(a.faded))
    .slice(0, 3)
    .map((rule) => `${rule.rule} ${rule.faded > 0 ? '+' : ''}${round(rule.faded)} (×${rule.events})`);
  if (reasons.length > 0) lines.push(t('card.reasons', { reasons: reasons.join(', ') }));

  const byCategory = new Map<string, string[]>();
  for (const tag of profile.tags) {
    byCategory.set(tag.category, [...(byCategory.get(tag.category) ?? []), shownTag(rules.labels, tag.name, locale)]);
  }
  if (byCategory.size > 0) {
    lines.push(t('card.tags'));
    const categories = rules.document.tags.categories;
    for (const [category, tags] of byCategory)
      lines.push(
        `  ${Object.hasOwn(categories, category) ? categories[category][locale] : category}: ${tags.join(', ')}`,
      );
  }
  if (profile.firstTouch) {
    const channel = profile.firstTouch.channel
      ? ` (${vocabularyName('channel', profile.firstTouch.channel, locale)})`
      : '';
    lines.push(
      t('card.firstTouch', {
        source: `${profile.firstTouch.source === 'unknown' ? t('card.unknownSource') : profile.firstTouch.source}${channel}`,
        date: localDate(new Date(profile.firstTouch.at), timezone),
      }),
    );
  }
  if (input.events.length > 0) {
    lines.push(t('card.events', { count: input.events.length }));
    for (const event of input.events) {
      const details = shownProperties
        .filter((key) => event.properties[key] !== undefined && typeof event.properties[key] !== 'object')
        .map((key) => propertyShown(key, event, { locale, labels: rules.labels }));
      const type = vocabularyName('event', event.type, locale);
      const channel = event.channel ? ` [${vocabularyName('channel', event.channel, locale)}]` : '';
      lines.push(
        `  ${localShortTime(new Date(event.occurredAt), timezone)} ${type}${channel}${details.length > 0 ? ` · ${details.join(' ')}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

/** An attribute's value as operators read it: gender in words (女), anything else as stored. */
function attributeValue(key: string, value: unknown, locale: BotLocale): string {
  return key === 'gender' ? vocabularyName('gender', String(value), locale) : String(value);
}

/**
 * One event property for the card, in the operator's words: an amount (fen) in yuan (unless in another currency), a
 * tag by its label, a lifecycle stage or a changed attribute's value as the card shows them elsewhere.
 */
function propertyShown(
  key: string,
  event: TimelineEventView,
  shown: { locale: BotLocale; labels: RuleSet['labels'] },
): string {
  const { locale, labels } = shown;
  const { properties } = event;
  const value = properties[key];
  if (key === 'amount' && typeof value === 'number') {
    const currency = typeof properties.currency === 'string' ? properties.currency.toUpperCase() : 'CNY';
    return currency === 'CNY' ? formatMoney(value, locale) : `${(value / 100).toFixed(2)} ${currency}`;
  }
  let text = String(value);
  if (key === 'tag') text = shownTag(labels, text, locale);
  if (key === 'to' && event.type === 'lifecycle_changed') text = shownStage(labels, text, locale);
  if (key === 'to' && event.type === 'attribute_changed' && typeof properties.name === 'string')
    return `${vocabularyName('attribute', properties.name, locale)}=${attributeValue(properties.name, value, locale)}`;
  return `${vocabularyName('property', key, locale)}=${text}`;
}

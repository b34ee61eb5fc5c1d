import type { BotLocale } from './bot-command.types';
import { maskIdentity } from '../logging/pii-mask';
import type { ProfileView } from '../profiles/profile.service';
import type { ProfileExplanation } from '../rules/profile-explainer';
import type { RuleSet } from '../rules/rule-set';
import type { TimelineEventView } from '../timeline/timeline.service';
import { localDate, localShortTime } from '../util/local-time';
import { translator } from './message-catalog';

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
  'currency',
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
    .map((identity) => `${identity.type} ${maskIdentity(identity.type, identity.value)}`);
  if (contacts.length > 0) lines.push(contacts.join(' · '));
  const facts = shownAttributes
    .filter((key) => key !== 'name' && attributes[key] !== undefined)
    .map((key) => `${key} ${String(attributes[key].value)}`);
  if (facts.length > 0) lines.push(facts.join(' · '));
  const following = profile.subscriptions
    .filter((subscription) => subscription.subscribed)
    .map((subscription) => subscription.account);
  const stage = profile.tags.find((tag) => tag.category === 'lifecycle')?.name.slice('lifecycle/'.length);
  const stageLabel = stage ? rules.labels.labelOf(`lifecycle/${stage}`, locale) : undefined;
  lines.push(
    t('card.lifecycle', {
      stage: stage ? (stageLabel ? `${stageLabel} (${stage})` : stage) : '—',
      following: following.length > 0 ? following.join(', ') : t('card.notFollowing'),
    }),
  );

  const { score } = explanation;
  const groups = score.groups
    .filter((group) => group.points !== 0)
    .map((group) => `${group.group} ${round(group.points)}`);
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
    const label = rules.labels.labelOf(tag.name, locale);
    byCategory.set(tag.category, [
      ...(byCategory.get(tag.category) ?? []),
      label ? `${tag.name} (${label})` : tag.name,
    ]);
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
    const channel = profile.firstTouch.channel ? ` (${profile.firstTouch.channel})` : '';
    lines.push(
      t('card.firstTouch', {
        source: `${profile.firstTouch.source}${channel}`,
        date: localDate(new Date(profile.firstTouch.at), timezone),
      }),
    );
  }
  if (input.events.length > 0) {
    lines.push(t('card.events', { count: input.events.length }));
    for (const event of input.events) {
      const details = shownProperties
        .filter((key) => event.properties[key] !== undefined && typeof event.properties[key] !== 'object')
        .map((key) => `${key}=${String(event.properties[key])}`);
      lines.push(
        `  ${localShortTime(new Date(event.occurredAt), timezone)} ${event.type}${event.channel ? ` [${event.channel}]` : ''}${details.length > 0 ? ` · ${details.join(' ')}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

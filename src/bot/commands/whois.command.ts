import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { botText, inEveryLocale, translator } from '../message-catalog';
import { profileCard } from '../profile-card';
import { NotFoundError } from '../../errors/app.errors';
import { personLine } from '../person-line';
import { lookupProfiles } from '../profile-reference';

/**
 * `whois <name | phone ending | phone | email | openid | #id>`: a follower's card, or the people it may mean (up to
 * ten, masked) to pick from.
 */
export function whoisCommand(services: BotServices): BotCommand {
  return {
    name: 'whois',
    aliases: ['查人', '画像'],
    role: 'viewer',
    usage: inEveryLocale('usage.whois'),
    summary: inEveryLocale('whois.summary'),
    async run({ args, value, locale }) {
      const t = translator(locale);
      if (!args[0]) return t('whois.usage');
      const lookup = await lookupProfiles(services, value(0));
      if ('nobody' in lookup) throw new NotFoundError(botText('reference.nobody', { reference: value(0) }));
      if ('candidates' in lookup)
        return [
          t('whois.candidates', { count: lookup.candidates.length, more: String(lookup.more) }),
          ...lookup.candidates.map((candidate) => `  ${personLine(candidate, t)}`),
          t('whois.pick'),
        ].join('\n');
      const profile = lookup.found;
      const rules = services.rules.current;
      const [explanation, page] = await Promise.all([
        services.explainer.explain(profile.id, rules, services.clock()),
        services.timeline.list(profile.id, { limit: 10 }),
      ]);
      return profileCard({ profile, explanation, events: page.events, rules, locale, timezone: services.timezone });
    },
  };
}

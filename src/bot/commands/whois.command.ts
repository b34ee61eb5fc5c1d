import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { inEveryLocale, translator } from '../message-catalog';
import { profileCard } from '../profile-card';
import { findProfile } from '../profile-reference';

/** `whois <openid|phone|email|profile id>`: a follower's card. */
export function whoisCommand(services: BotServices): BotCommand {
  return {
    name: 'whois',
    aliases: ['查人', '画像'],
    role: 'viewer',
    usage: '/whois <openid | phone | email | #id>',
    summary: inEveryLocale('whois.summary'),
    async run({ args, locale }) {
      if (!args[0]) return translator(locale)('whois.usage');
      const profile = await findProfile(services.profiles, args.join(' '));
      const rules = services.rules.current;
      const [explanation, page] = await Promise.all([
        services.explainer.explain(profile.id, rules, services.clock()),
        services.timeline.list(profile.id, { limit: 10 }),
      ]);
      return profileCard({ profile, explanation, events: page.events, rules, locale, timezone: services.timezone });
    },
  };
}

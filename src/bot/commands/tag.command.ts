import { tagName } from '../../config/config-fields';
import { ValidationError } from '../../errors/app.errors';
import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { botText, inEveryLocale, translator } from '../message-catalog';
import { personLine } from '../person-line';
import { shownTag } from '../tag-names';
import { audienceName, bulkAudience, runBulkTag } from '../bulk-tag';
import { findProfile } from '../profile-reference';

/**
 * `tag add|remove <profile> <tag>`: an operator's own tag on one person (labels accepted for the tag);
 * `tag add|remove <segment | "expression"> <tag>`: on everyone it selects, with a confirmation code above
 * `bot.bulkConfirmAbove` people.
 */
export function tagCommand(services: BotServices): BotCommand {
  return {
    name: 'tag',
    aliases: ['打标签'],
    role: 'operator',
    usage: inEveryLocale('usage.tag'),
    summary: inEveryLocale('tag.summary'),
    subcommands: [
      {
        name: 'add',
        aliases: ['加', '添加'],
        role: 'operator',
        usage: inEveryLocale('usage.tag.add'),
        summary: inEveryLocale('tag.add.summary'),
      },
      {
        name: 'remove',
        aliases: ['去掉', '删除'],
        role: 'operator',
        usage: inEveryLocale('usage.tag.remove'),
        summary: inEveryLocale('tag.remove.summary'),
      },
    ],
    async run({ args, value, subcommand, operator, locale }) {
      const t = translator(locale);
      const typed = value(2);
      if (!args[1] || !typed) return t('tag.usage');
      const labels = services.rules.current.labels;
      const parsed = tagName.safeParse(labels.tagOf(typed));
      if (!parsed.success) throw new ValidationError(botText('tag.invalid', { tag: typed }));
      const tag = parsed.data;
      const actor = `bot:${operator.contact}`;
      const mode: 'add' | 'remove' = subcommand === 'add' ? 'add' : 'remove';
      const audience = await bulkAudience(services, args[1]);
      if (audience) {
        const members = await services.segments.memberIds(audience);
        const count = members.length;
        const action = { kind: 'tag' as const, mode, tag, audience, count };
        const shownAudience = audienceName(audience);
        if (count === 0) return t('tag.bulkNobody', { audience: shownAudience });
        if (count <= services.bulkConfirmAbove) return runBulkTag(services, action, actor, locale, members);
        const code = await services.confirmations.issue(operator.contact, { action });
        const { minutes } = services.confirmations;
        const shown = shownTag(labels, tag, locale);
        return {
          text: t('tag.bulkPlanned', {
            mode,
            audience: shownAudience,
            count,
            tag: shown,
            limit: services.bulkConfirmAbove,
            minutes,
            code,
          }),
          confirmation: {
            code,
            target: { bulk: true },
            title: t('confirmCard.bulk.title', { mode, tag: shown }),
            summary: t('confirmCard.bulk.summary', { audience: shownAudience, count, minutes }),
          },
        };
      }
      const profile = await findProfile(services, args[1], (candidate) => personLine(candidate, t));
      const shown = shownTag(labels, tag, locale);
      if (subcommand === 'add') {
        const { profileId, added } = await services.operatorTags.add(profile.id, tag, null, actor);
        return t(added ? 'tag.added' : 'tag.alreadyHeld', { tag: shown, id: profileId });
      }
      const { profileId, removed } = await services.operatorTags.remove(profile.id, tag, actor);
      return t(removed ? 'tag.removed' : 'tag.notHeld', { tag: shown, id: profileId });
    },
  };
}

import { ValidationError } from '../../errors/app.errors';
import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { takeOptions } from '../command-line';
import { inEveryLocale, translator } from '../message-catalog';
import { planSummary } from '../push-summary';

/** Options before the content, by every spelling operators may use. */
const optionNames: Record<string, string> = {
  name: 'name',
  名称: 'name',
  at: 'at',
  时间: 'at',
  account: 'account',
  账号: 'account',
};

/** The content as typed: `image:<mediaId>` and `news:<mediaId>` send media; anything else is text (placeholders allowed). */
function contentOf(text: string) {
  const media = /^(image|news|图片|图文)[:：](\S+)$/u.exec(text);
  if (!media) return { message: { type: 'text' as const, text } };
  return {
    message: { type: ['image', '图片'].includes(media[1]) ? ('image' as const) : ('news' as const), mediaId: media[2] },
  };
}

/**
 * `push <segment | "expression"> [name:…] [at:…] <content>`: plans the push (nothing is sent) and shows the plan with
 * a six-digit code; `/confirm <code>` sends it.
 */
export function pushCommand(services: BotServices): BotCommand {
  return {
    name: 'push',
    aliases: ['推送'],
    role: 'operator',
    usage: '/push <segment | "expression"> [name:…] [at:2026-12-01T10:00+08:00] <content>',
    summary: inEveryLocale('push.summary'),
    async run({ args, rest, operator, locale }) {
      const t = translator(locale);
      const { options, next } = takeOptions(args, 1, optionNames);
      const audience = args[0];
      const content = rest(next);
      if (!audience || !content) return t('push.usage');
      const actor = `bot:${operator.contact}`;
      const target = (await services.segments.lookup(audience)) ? { segment: audience } : { expression: audience };
      if (options.at !== undefined && Number.isNaN(Date.parse(options.at)))
        throw new ValidationError(`at: expected a time such as 2026-12-01T10:00+08:00, got ${options.at}`);
      const push = await services.pushes.plan(
        {
          name: options.name ?? content.slice(0, 40),
          ...(options.account ? { account: options.account } : {}),
          ...target,
          content: contentOf(content),
          ...(options.at ? { sendAt: new Date(options.at).toISOString() } : {}),
        },
        actor,
      );
      if (push.plan.audience === 0) return [planSummary(push, push.plan, locale), t('push.nobody')].join('\n');
      const code = await services.confirmations.issue(operator.contact, push.id);
      return [
        planSummary(push, push.plan, locale),
        t('push.confirmWith', { code, minutes: services.confirmations.minutes }),
      ].join('\n');
    },
  };
}

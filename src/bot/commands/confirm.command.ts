import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, translator } from '../message-catalog';
import { formatOperatorTime } from '../operator-time';

/** `confirm <code>`: sends the push the code was given for (to the operator who planned it, within its minutes). */
export function confirmCommand(services: BotServices): BotCommand {
  return {
    name: 'confirm',
    aliases: ['确认'],
    role: 'operator',
    usage: '/confirm <code>',
    summary: inEveryLocale('confirm.summary'),
    async run({ args, operator, locale }) {
      const t = translator(locale);
      if (!args[0] || !/^\d{6}$/.test(args[0])) return t('confirm.usage');
      const check = await services.confirmations.check(operator.contact, args[0]);
      if (!check.ok) return t(`confirm.${check.reason}`);
      const push = await services.pushes
        .confirm(check.pushId, `bot:${operator.contact}`)
        .catch(async (error: unknown) => {
          await services.confirmations.reopen(check.id);
          throw error;
        });
      services.wakePushes();
      if (push.status === 'scheduled' && push.sendAt)
        return t('confirm.scheduled', {
          id: push.id,
          count: formatCount(push.recipients ?? 0),
          at: formatOperatorTime(new Date(push.sendAt), services.timezone, locale, services.clock()),
        });
      return t('confirm.sending', { id: push.id, count: formatCount(push.recipients ?? 0) });
    },
  };
}

import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { inEveryLocale, translator } from '../message-catalog';

/** `cancel code <code>` (`取消 验证码 <code>`): drops a pending confirmation code (a bulk action is not done). */
const codeWords = new Set(['code', '验证码']);

/** `cancel <push>`: stops what hasn't gone out (a planned push is dropped, an automation stops). */
export function cancelCommand(services: BotServices): BotCommand {
  return {
    name: 'cancel',
    aliases: ['取消'],
    role: 'operator',
    usage: inEveryLocale('usage.cancel'),
    summary: inEveryLocale('cancel.summary'),
    async run({ args, operator, locale }) {
      const t = translator(locale);
      if (codeWords.has(args[0]?.toLowerCase() ?? '')) {
        if (!args[1] || !/^\d{6}$/.test(args[1])) return t('cancel.usage');
        const withdrawn = await services.confirmations.withdraw(operator.contact, args[1]);
        return t(withdrawn ? 'cancel.codeWithdrawn' : 'cancel.noSuchCode');
      }
      if (!args[0] || !/^#?\d{1,9}$/.test(args[0])) return t('cancel.usage');
      const push = await services.pushes.cancel(Number(args[0].replace('#', '')), `bot:${operator.contact}`);
      return t('cancel.done', { id: push.id, name: push.name });
    },
  };
}

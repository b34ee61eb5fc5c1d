import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { inEveryLocale, translator } from '../message-catalog';
import { formatOperatorTime } from '../operator-time';
import { runBulkTag } from '../bulk-tag';
import { expectedReceivers } from '../push-summary';

/** `confirm <code>`: sends the push the code was given for (to the operator who planned it, within its minutes). */
export function confirmCommand(services: BotServices): BotCommand {
  return {
    name: 'confirm',
    aliases: ['确认'],
    role: 'operator',
    usage: inEveryLocale('usage.confirm'),
    summary: inEveryLocale('confirm.summary'),
    async run({ args, operator, locale }) {
      const t = translator(locale);
      if (!args[0] || !/^\d{6}$/.test(args[0])) return t('confirm.usage');
      const check = await services.confirmations.check(operator.contact, args[0]);
      // Nothing was confirmed: said so, and audited as not done (a card's button then reads "not done").
      if (!check.ok)
        return {
          text: t(`confirm.${check.reason}`, {
            minutes: services.confirmations.minutes,
            pushes: check.reason === 'too_many_tries' ? check.pushIds.map((id) => `#${id}`).join('、') : '',
          }),
          failed: check.reason,
        };
      if ('action' in check)
        return runBulkTag(services, check.action, `bot:${operator.contact}`, locale).catch(async (error: unknown) => {
          await services.confirmations.reopen(check.id);
          throw error;
        });
      const push = await services.pushes
        .confirm(check.pushId, `bot:${operator.contact}`)
        .catch(async (error: unknown) => {
          await services.confirmations.reopen(check.id);
          throw error;
        });
      services.wakePushes();
      // Who the plan says receives it: everyone selected but those the sending rules skip.
      const { plan } = push;
      const receivers = expectedReceivers(plan);
      const skipped = Object.values(plan.skipped).reduce((sum, count) => sum + (count ?? 0), 0);
      const confirmed =
        push.status === 'scheduled' && push.sendAt
          ? t('confirm.scheduled', {
              id: push.id,
              count: receivers,
              at: formatOperatorTime(new Date(push.sendAt), services.timezone, locale, services.clock()),
            })
          : t('confirm.sending', { id: push.id, count: receivers });
      return skipped > 0 ? `${confirmed}\n${t('confirm.skippedToo', { count: skipped })}` : confirmed;
    },
  };
}

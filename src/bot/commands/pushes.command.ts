import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, translator } from '../message-catalog';

/** `pushes`: the latest ten pushes with their status and recipients. */
export function pushesCommand(services: BotServices): BotCommand {
  return {
    name: 'pushes',
    aliases: ['推送列表'],
    role: 'viewer',
    usage: inEveryLocale('usage.pushes'),
    summary: inEveryLocale('pushes.summary'),
    async run({ locale }) {
      const t = translator(locale);
      const pushes = (await services.pushes.list({ limit: 10 })).items;
      if (pushes.length === 0) return t('pushes.none');
      return [
        t('pushes.title'),
        ...pushes.map(
          (push) =>
            `#${push.id} ${push.name} · ${t(`status.${push.status}`, { id: push.id })} · ${formatCount(push.recipients ?? push.plan.audience)}`,
        ),
      ].join('\n');
    },
  };
}

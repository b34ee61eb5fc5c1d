import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { inEveryLocale, translator } from '../message-catalog';
import { pushReportAnswer } from '../push-report-answer';

/** `status [push]`: where a push stands (the latest when none is named), with its funnel as a chart once it went out. */
export function statusCommand(services: BotServices): BotCommand {
  return {
    name: 'status',
    aliases: ['状态'],
    role: 'viewer',
    usage: inEveryLocale('usage.status'),
    summary: inEveryLocale('status.summary'),
    async run({ args, locale }) {
      const t = translator(locale);
      let id: number;
      if (args[0]) {
        if (!/^#?\d{1,9}$/.test(args[0])) return t('status.usage');
        id = Number(args[0].replace('#', ''));
      } else {
        const [latest] = (await services.pushes.list({ limit: 1 })).items;
        if (!latest) return t('pushes.none');
        id = latest.id;
      }
      const answer = await pushReportAnswer(services, id, locale);
      return answer.image ? { text: answer.text, image: answer.image } : answer.text;
    },
  };
}

import type { BotCommand } from '../bot-command.types';
import type { DailyDigest } from '../daily-digest';
import { inEveryLocale, translator } from '../message-catalog';

/** What the topic may be called: the morning digest. */
const dailyWords = new Set(['daily', 'digest', '日报']);

/** `subscribe daily` (`订阅 日报`): the morning digest at 09:00 local. */
export function subscribeCommand(digest: DailyDigest): BotCommand {
  return {
    name: 'subscribe',
    aliases: ['订阅'],
    role: 'viewer',
    usage: inEveryLocale('usage.subscribe'),
    summary: inEveryLocale('subscribe.summary'),
    async run({ args, operator, locale }) {
      const t = translator(locale);
      if (!dailyWords.has(args[0]?.toLowerCase() ?? '')) return t('subscribe.usage');
      return t((await digest.subscribe(operator.contact)) ? 'subscribe.done' : 'subscribe.already');
    },
  };
}

/** `unsubscribe daily` (`退订 日报`). */
export function unsubscribeCommand(digest: DailyDigest): BotCommand {
  return {
    name: 'unsubscribe',
    aliases: ['退订'],
    role: 'viewer',
    usage: inEveryLocale('usage.unsubscribe'),
    summary: inEveryLocale('unsubscribe.summary'),
    async run({ args, operator, locale }) {
      const t = translator(locale);
      if (!dailyWords.has(args[0]?.toLowerCase() ?? '')) return t('subscribe.usage');
      return t((await digest.unsubscribe(operator.contact)) ? 'unsubscribe.done' : 'unsubscribe.notSubscribed');
    },
  };
}

import type { BotLocale, BotText } from './bot-command.types';
import { defineCatalogue, hasKey, type MessageParams, renderMessage, sayer, texts } from '../i18n/message-catalog';
import { en } from './messages/en';
import { zhCN } from './messages/zh-cn';

export type MessageKey = keyof typeof en;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** What the bot says; the compiler holds zh-CN to the same keys as en. */
export const botMessages = defineCatalogue<MessageKey>('bot', en, zhCN);

/** A bot message for an error, said in the language of whoever reads it. */
export const botText = texts(botMessages);

/** Whether `key` is in the catalogues (for names built from codes, such as a skip reason). */
export function hasMessage(key: string): key is MessageKey {
  return hasKey(botMessages, key);
}

export function translator(locale: BotLocale): Translate {
  return sayer(botMessages, locale);
}

/** A message in every locale (command summaries). */
export function inEveryLocale(key: MessageKey): BotText {
  return { 'zh-CN': renderMessage(botMessages, 'zh-CN', key), en: renderMessage(botMessages, 'en', key) };
}

/** Numbers as operators read them: 12,345. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

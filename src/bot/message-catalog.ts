import type { BotLocale, BotText } from './bot-command.types';
import { en } from './messages/en';
import { zhCN } from './messages/zh-cn';

export type MessageKey = keyof typeof en;
export type MessageParams = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** One catalogue per locale; the compiler holds zh-CN to the same keys as en. */
const catalogs: Record<BotLocale, Readonly<Record<MessageKey, string>>> = { 'zh-CN': zhCN, en };

/** Fills `{name}` placeholders; a placeholder without a value stays as written (visible, not silently empty). */
function fill(template: string, params: MessageParams | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** Whether `key` is in the catalogues (for names built from codes, such as a skip reason). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export function translator(locale: BotLocale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => fill(catalog[key], params);
}

/** A message in every locale (command summaries). */
export function inEveryLocale(key: MessageKey): BotText {
  return { 'zh-CN': catalogs['zh-CN'][key], en: catalogs.en[key] };
}

/** Numbers as operators read them: 12,345. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

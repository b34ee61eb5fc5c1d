import { IntlMessageFormat } from 'intl-messageformat';

/** The languages operators and followers read: Chinese first. */
export type Locale = 'zh-CN' | 'en';
export const locales: readonly Locale[] = ['zh-CN', 'en'];
export const defaultLocale: Locale = 'zh-CN';

/** Anything that can be said in a reader's language (a `LocalizedText`, a list of them). */
export interface Localizable {
  in(locale: Locale): string;
}

/** A value a message is filled with; a localizable one is rendered in the message's own language. */
export type MessageParam = string | number | Localizable;
export type MessageParams = Readonly<Record<string, MessageParam>>;

/**
 * One room's messages in every locale, in ICU MessageFormat (`{count, plural, one {# person} other {# people}}`,
 * `{amount, number, ::currency/CNY}`; a literal brace is quoted: `'{{'name'}}'`). zh-CN holds en's keys.
 */
export interface Catalogue<Key extends string = string> {
  /** Where the messages live, for a failing check to name. */
  readonly name: string;
  readonly messages: Readonly<Record<Locale, Readonly<Record<Key, string>>>>;
}

const catalogues: Catalogue[] = [];

/** Declares a catalogue (every catalogue declared is walked by the catalogue test). */
export function defineCatalogue<Key extends string>(
  name: string,
  en: Readonly<Record<Key, string>>,
  zhCN: Readonly<Record<Key, string>>,
): Catalogue<Key> {
  const catalogue: Catalogue<Key> = { name, messages: { en, 'zh-CN': zhCN } };
  catalogues.push(catalogue as Catalogue);
  return catalogue;
}

/** Every catalogue declared so far (those of the modules loaded). */
export function declaredCatalogues(): readonly Catalogue[] {
  return catalogues;
}

const compiled = new Map<string, IntlMessageFormat>();

/** `key` of `catalogue` in `locale`, filled with `params`; a value the message doesn't name is ignored. */
export function renderMessage<Key extends string>(
  catalogue: Catalogue<Key>,
  locale: Locale,
  key: Key,
  params: MessageParams = {},
): string {
  const id = `${catalogue.name}\u0000${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(catalogue.messages[locale][key], locale, undefined, { ignoreTag: true });
    compiled.set(id, format);
  }
  const values = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? value.in(locale) : value]),
  );
  return String(format.format(values));
}

/** Whether `key` is one of the catalogue's (names built from codes, such as a skip reason). */
export function hasKey<Key extends string>(catalogue: Catalogue<Key>, key: string): key is Key {
  return Object.hasOwn(catalogue.messages.en, key);
}

/** A message not yet put into words: rendered in whichever language its reader reads. */
export class LocalizedText<Key extends string = string> {
  constructor(
    readonly catalogue: Catalogue<Key>,
    readonly key: Key,
    readonly params: MessageParams = {},
  ) {}

  in(locale: Locale): string {
    return renderMessage(this.catalogue, locale, this.key, this.params);
  }

  /** In English where no reader's language is known: logs and the API. */
  toString(): string {
    return this.in('en');
  }

  toJSON(): string {
    return this.in('en');
  }
}

/** Items said one after another in the reader's language: 上海（655 人）、北京（300 人） / Shanghai (655), Beijing (300). */
export function listOf(items: readonly Localizable[]): Localizable & { toJSON(): string } {
  const say = (locale: Locale) => items.map((item) => item.in(locale)).join(locale === 'zh-CN' ? '、' : ', ');
  return { in: say, toJSON: () => say('en') };
}

/** A function that says a catalogue's messages in one locale. */
export type Say<Key extends string> = (key: Key, params?: MessageParams) => string;

export function sayer<Key extends string>(catalogue: Catalogue<Key>, locale: Locale): Say<Key> {
  return (key, params) => renderMessage(catalogue, locale, key, params);
}

/** A function that makes `LocalizedText`s of one catalogue (for errors, rendered when someone reads them). */
export function texts<Key extends string>(
  catalogue: Catalogue<Key>,
): (key: Key, params?: MessageParams) => LocalizedText<Key> {
  return (key, params) => new LocalizedText(catalogue, key, params);
}

import { illFormedTextMessage } from '../util/json-shape';
import { ownValue } from '../util/own-value';
import { normalizeCity, normalizeCountry, normalizeProvince } from './china-places';

/** A value an attribute may hold. */
export type AttributeValue = string | number | boolean;

/** No one alive was born earlier; an earlier date is a typo (0990 for 1990) that would put them in `65+`. */
const earliestBirthday = '1900-01-01';

/** The attributes Persona knows by name, each normalized on the way in; any other lower-case name is free-form. */
const known: Record<string, (raw: unknown, today: Date) => AttributeValue | undefined> = {
  name: text(64),
  gender: (raw) => {
    const value = String(raw).trim().toLowerCase();
    if (['male', 'm', '男'].includes(value)) return 'male';
    if (['female', 'f', '女'].includes(value)) return 'female';
    if (['unknown', '未知'].includes(value)) return 'unknown';
    return undefined;
  },
  birthday: (raw, today) => {
    const value = String(raw).trim();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || value < earliestBirthday) return undefined;
    const date = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value || date.getTime() > today.getTime())
      return undefined;
    return value;
  },
  ageBand: (raw) => {
    const value = String(raw).trim();
    return (ageBands as readonly string[]).includes(value) ? value : undefined;
  },
  /** Whether the person agreed to marketing messages: false is an opt-out, and outlives any merge. */
  marketingConsent: (raw) => {
    if (typeof raw === 'boolean') return raw;
    const value = String(raw).trim().toLowerCase();
    if (['true', 'yes', '1', '同意'].includes(value)) return true;
    if (['false', 'no', '0', '拒绝', '退订'].includes(value)) return false;
    return undefined;
  },
  city: place(normalizeCity),
  province: place(normalizeProvince),
  country: place(normalizeCountry),
  language: (raw) => {
    const value = text(32)(raw);
    // zh_CN, zh-cn and ZH-CN are one language tag: zh-CN.
    return value
      ?.replace(/_/g, '-')
      .replace(/^([a-z]{2,3})(?:-([a-z]{2}))?$/i, (_whole, language: string, region?: string) =>
        region ? `${language.toLowerCase()}-${region.toUpperCase()}` : language.toLowerCase(),
      );
  },
  company: text(128),
  title: text(128),
};

/** Age bands, as marketing segments them. */
export const ageBands = ['under-18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;

const expected: Record<string, string> = {
  gender: 'expected male, female or unknown (男/女 accepted)',
  birthday: 'expected a date from 1900-01-01 to today as YYYY-MM-DD',
  ageBand: `expected one of ${ageBands.join(', ')}`,
  marketingConsent: 'expected true or false (同意/拒绝 accepted)',
};

/** The age band of someone born on `birthday` (YYYY-MM-DD), on `today`. */
export function ageBandOf(birthday: string, today: Date): (typeof ageBands)[number] {
  const [year, month, day] = birthday.split('-').map(Number);
  let age = today.getUTCFullYear() - year;
  if (today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day)) age -= 1;
  if (age < 18) return 'under-18';
  if (age >= 65) return '65+';
  const lower = [18, 25, 35, 45, 55].filter((start) => age >= start).pop() as number;
  return ageBands[[18, 25, 35, 45, 55].indexOf(lower) + 1];
}

/**
 * Attributes where one value is more restrictive than the other, whoever said it: when two profiles of one person
 * disagree, the restrictive value stands (an opt-out is never undone by merging).
 */
export function isMoreRestrictive(name: string, candidate: AttributeValue, current: AttributeValue): boolean {
  return name === 'marketingConsent' && candidate === false && current !== false;
}

/** A place by its one name (上海市, Shanghai → 上海). */
function place(normalize: (text: string) => string) {
  return (raw: unknown) => {
    const value = text(128)(raw);
    return value === undefined ? undefined : normalize(value);
  };
}

function text(max: number) {
  return (raw: unknown) => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
    const value = String(raw).trim();
    return value && value.length <= max ? value : undefined;
  };
}

const freeFormName = /^[a-z][a-zA-Z0-9_]{0,63}$/;

export const knownAttributes = Object.keys(known);

/**
 * Catalogued free text compared without regard to case (`company:acme` finds `ACME`): stored as written, since how a
 * name is written is worth keeping. The other catalogued attributes have one spelling (`canonicalAttributeValue`).
 */
export const caseInsensitiveAttributes: ReadonlySet<string> = new Set(['name', 'company', 'title']);

/**
 * A value in its one spelling: a catalogued attribute's value normalised (上海市, Shanghai → 上海; 女, F → female),
 * any other as it is. Stored values take it whichever source wrote them, and expressions compare with it
 * (城市:上海市 and city:Shanghai find 上海).
 */
export function canonicalAttributeValue<Value extends AttributeValue>(
  name: string,
  value: Value,
): Value | AttributeValue {
  const rule = ownValue(known, name);
  if (!rule || name === 'birthday') return value;
  return rule(value, new Date(8.64e15)) ?? value;
}

/**
 * Normalizes one attribute: known ones by their rule, free-form ones if they are short text, a number or a boolean.
 * `null` clears the attribute. Answers what was expected when the value can't be used. `today` bounds dates (a
 * birthday is in the past).
 */
export function normalizeAttribute(
  name: string,
  raw: unknown,
  today: Date,
): { value: AttributeValue | null } | { error: string } {
  if (!freeFormName.test(name)) return { error: 'expected a camelCase attribute name of at most 64 characters' };
  if (raw === null) return { value: null };
  if (typeof raw === 'string' && !raw.isWellFormed()) return { error: illFormedTextMessage };
  const rule = ownValue(known, name);
  if (rule) {
    const value = rule(raw, today);
    return value === undefined
      ? { error: ownValue(expected, name) ?? 'expected text of reasonable length' }
      : { value };
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) return { value: raw };
  if (typeof raw === 'boolean') return { value: raw };
  if (typeof raw === 'string' && raw.trim() && raw.length <= 512) return { value: raw.trim() };
  return { error: 'expected text (at most 512 characters), a number or a boolean' };
}

/** Normalizes a set of attributes, collecting every problem by name (`<pathPrefix><name>`). */
export function normalizeAttributes(
  raw: Readonly<Record<string, unknown>>,
  today: Date,
  pathPrefix = 'attributes.',
): { values: Record<string, AttributeValue | null>; problems: { path: string; message: string }[] } {
  const values: Record<string, AttributeValue | null> = {};
  const problems: { path: string; message: string }[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const normalized = normalizeAttribute(name, value, today);
    if ('error' in normalized) problems.push({ path: `${pathPrefix}${name}`, message: normalized.error });
    else values[name] = normalized.value;
  }
  return { values, problems };
}

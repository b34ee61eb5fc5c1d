import { defaultOpenidScope, type Identity, type IdentityType } from './identity';

/**
 * Control characters (a NUL byte above all) and lone UTF-16 surrogates: no identity holds them, and MySQL refuses
 * the surrogates outright.
 */
function unprintable(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  return /[\u0000-\u001f\u007f]/.test(text) || !text.isWellFormed();
}

/** Lower-cased and checked: `Alice@Example.COM ` → `alice@example.com`; undefined when it isn't an address. */
export function normalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || unprintable(email) || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return undefined;
  return email;
}

/**
 * E.164 with China (+86) as the default country: `138 1234 5678` → `+8613812345678`, `0086…` → `+86…`,
 * `021-1234 5678` → `+862112345678`. Undefined when what's left isn't 8 to 15 digits.
 */
export function normalizePhone(raw: string, defaultCountryCode = '86'): string | undefined {
  const compact = raw.trim().replace(/[\s\-().]/g, '');
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else if (compact.startsWith('0')) digits = defaultCountryCode + compact.slice(1);
  else digits = defaultCountryCode + compact;
  if (!/^[1-9]\d{7,14}$/.test(digits)) return undefined;
  return `+${digits}`;
}

/** An opaque id (openid, unionid, CRM id, anonymous id): trimmed, printable, well-formed, at most 128 characters. */
export function normalizeOpaqueId(raw: string): string | undefined {
  const id = raw.trim();
  if (!id || id.length > 128 || unprintable(id)) return undefined;
  return id;
}

const expected: Record<IdentityType, string> = {
  email: 'an email address (without control characters)',
  phone: 'a phone number (8 to 15 digits, optionally with +country code)',
  openid: 'an openid of at most 128 printable characters',
  unionid: 'a unionid of at most 128 printable characters',
  crm_id: 'a CRM id of at most 128 printable characters',
  anonymous_id: 'an anonymous id of at most 128 printable characters',
};

/** Normalizes one identity, or answers what was expected instead. */
export function normalizeIdentity(type: IdentityType, raw: string, scope = ''): Identity | { error: string } {
  const value =
    type === 'email' ? normalizeEmail(raw) : type === 'phone' ? normalizePhone(raw) : normalizeOpaqueId(raw);
  if (value === undefined) return { error: `expected ${expected[type]}` };
  return { type, scope, value };
}

/**
 * Normalizes the identity fields of an inbound payload (`{ email, phone, anonymousId… }`, mapped to types by
 * `fields`), collecting every problem by field. Openids without a named account get the default account's scope.
 */
export function normalizeIdentityFields(
  values: Readonly<Record<string, string | undefined>>,
  fields: Readonly<Record<string, IdentityType>>,
  pathPrefix = '',
): { identities: Identity[]; problems: { path: string; message: string }[] } {
  const identities: Identity[] = [];
  const problems: { path: string; message: string }[] = [];
  for (const [field, type] of Object.entries(fields)) {
    const raw = values[field];
    if (raw === undefined) continue;
    const identity = normalizeIdentity(type, raw, type === 'openid' ? defaultOpenidScope : '');
    if ('error' in identity) problems.push({ path: `${pathPrefix}${field}`, message: identity.error });
    else identities.push(identity);
  }
  return { identities, problems };
}

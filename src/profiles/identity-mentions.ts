/** An identity as stored: its type and normalized value. */
export interface StoredIdentity {
  type: string;
  value: string;
}

/** What a mention is replaced with. */
export const redactedMention = '[erased]';

/** Characters people put between a phone number's digits: `138 0013 8000`, `138-0013-8000`, `(021) 1234…`. */
const phoneSeparators = '[\\s\\-().]*';
/** The country whose numbers may be written without a country code (see `normalizePhone`). */
const defaultCountryCode = '86';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` matched in any letter case (a pattern-wide `i` flag would make other identities' patterns caseless too). */
function caseless(text: string): string {
  return [...text]
    .map((char) =>
      char.toLowerCase() === char.toUpperCase() ? escapeRegExp(char) : `[${char.toLowerCase()}${char.toUpperCase()}]`,
    )
    .join('');
}

/**
 * A stored phone however someone may have typed it: `+8613800138000` as `13800138000`, `138 0013 8000`,
 * `+86 138-0013-8000` or `008613800138000` (what `normalizePhone` would turn into the stored value), never as part of
 * a longer number.
 */
function phonePattern(e164: string): string {
  const digits = e164.replace(/^\+/, '');
  const spaced = (text: string) => text.split('').join(phoneSeparators);
  if (digits.startsWith(defaultCountryCode)) {
    const national = digits.slice(defaultCountryCode.length);
    return `(?<!\\d)(?:(?:\\+|00)\\s*${defaultCountryCode}${phoneSeparators}|0)?${spaced(national)}(?!\\d)`;
  }
  return `(?<!\\d)(?:\\+|00)\\s*${spaced(digits)}(?!\\d)`;
}

/**
 * Finds where free text (what an operator typed to the bot, say) names a person by one of their identities, to redact
 * it: emails in any letter case, phones in any spelling that means the stored number, opaque ids (openid, unionid,
 * CRM id, anonymous id) as whole tokens exactly.
 */
export class IdentityMentions {
  /**
   * Lower-case fragments of which a text mentioning the person contains at least one: what a database can look for
   * (`LOWER(text) LIKE '%…%'`) before `redact` looks closely. A phone's is its last four digits.
   */
  readonly fragments: string[];
  private readonly pattern: RegExp | undefined;

  constructor(identities: readonly StoredIdentity[]) {
    const patterns: string[] = [];
    const fragments = new Set<string>();
    for (const { type, value } of identities) {
      if (!value) continue;
      if (type === 'phone') {
        patterns.push(phonePattern(value));
        fragments.add(value.slice(-4));
      } else if (type === 'email') {
        patterns.push(caseless(value));
        fragments.add(value.toLowerCase());
      } else {
        patterns.push(`(?<![\\w-])${escapeRegExp(value)}(?![\\w-])`);
        fragments.add(value.toLowerCase());
      }
    }
    this.fragments = [...fragments];
    this.pattern = patterns.length > 0 ? new RegExp(patterns.join('|'), 'g') : undefined;
  }

  /** `text` with every mention replaced by `[erased]`. */
  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, redactedMention) : text;
  }
}

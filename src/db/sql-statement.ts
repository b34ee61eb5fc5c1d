/** Replacements for a statement: positional for `?` placeholders, named for `:name` ones. */
export type Replacements = Record<string, unknown> | readonly unknown[];

/** A statement ready for a driver: `?` placeholders only, each bound to one scalar. */
export interface BoundStatement {
  sql: string;
  values: unknown[];
}

type Part = { text: string } | { name: string } | { position: number };

/**
 * Turns Persona's statements (named `:name` or positional `?` placeholders, arrays expanded for `IN (…)`) into what
 * both drivers bind natively. Placeholders inside quoted strings, quoted identifiers and comments are text. The
 * split of each statement is cached: the hot statements are a few dozen constant strings.
 */
export function bindStatement(
  sql: string,
  replacements: Replacements,
  scalar: (value: unknown) => unknown,
): BoundStatement {
  const named = !Array.isArray(replacements);
  const parts = split(sql, named);
  let text = '';
  const values: unknown[] = [];
  for (const part of parts) {
    if ('text' in part) {
      text += part.text;
      continue;
    }
    const value =
      'name' in part
        ? namedValue(replacements as Record<string, unknown>, part.name)
        : positionalValue(replacements as readonly unknown[], part.position);
    if (Array.isArray(value)) {
      // An empty list matches nothing, as `IN (NULL)` does.
      text += value.length === 0 ? 'NULL' : value.map(() => '?').join(', ');
      values.push(...value.map(scalar));
    } else {
      text += '?';
      values.push(scalar(value));
    }
  }
  return { sql: text, values };
}

function namedValue(replacements: Record<string, unknown>, name: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(replacements, name)) throw new Error(`SQL replacement :${name} is missing`);
  return replacements[name];
}

function positionalValue(replacements: readonly unknown[], position: number): unknown {
  if (position >= replacements.length) throw new Error(`SQL replacement ${position + 1} is missing`);
  return replacements[position];
}

const cache = new Map<string, Part[]>();
const maxCached = 1000;

function split(sql: string, named: boolean): Part[] {
  const key = `${named ? 'n' : 'p'}${sql}`;
  let parts = cache.get(key);
  if (!parts) {
    parts = tokenize(sql, named);
    // Statements with inlined lists (`VALUES (?, ?), (?, ?)…`) vary in length; the cache stays bounded.
    if (cache.size >= maxCached) cache.clear();
    cache.set(key, parts);
  }
  return parts;
}

const identifierStart = /[A-Za-z_]/;
const identifierChar = /[A-Za-z0-9_]/;

function tokenize(sql: string, named: boolean): Part[] {
  const parts: Part[] = [];
  let text = '';
  let position = 0;
  let i = 0;
  const flush = () => {
    if (text) parts.push({ text });
    text = '';
  };
  while (i < sql.length) {
    const char = sql[i];
    if (char === "'" || char === '"' || char === '`') {
      const end = closingQuote(sql, i, char);
      text += sql.slice(i, end);
      i = end;
    } else if (char === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      text += sql.slice(i, end < 0 ? sql.length : end);
      i = end < 0 ? sql.length : end;
    } else if (char === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      text += sql.slice(i, end < 0 ? sql.length : end + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (!named && char === '?') {
      flush();
      parts.push({ position: position++ });
      i += 1;
    } else if (named && char === ':' && sql[i - 1] !== ':' && identifierStart.test(sql[i + 1] ?? '')) {
      let end = i + 2;
      while (end < sql.length && identifierChar.test(sql[end])) end += 1;
      flush();
      parts.push({ name: sql.slice(i + 1, end) });
      i = end;
    } else {
      text += char;
      i += 1;
    }
  }
  flush();
  return parts;
}

/**
 * The index just past the quote that closes the one at `start`; a doubled quote escapes it. (Backslash escapes are
 * MySQL-only and never needed: every value is bound, so literals in Persona's statements are plain words.)
 */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

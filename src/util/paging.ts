import { z } from 'zod';
import { ValidationError } from '../errors/app.errors';

/** Rows a page holds when the caller doesn't say. */
export const defaultPageSize = 50;
/** The most rows one page holds; asking for more is a 400, so no list answer grows without bound. */
export const maxPageSize = 500;

/** What a caller asks of a list: how many rows, and where to go on from (a `nextCursor` an earlier page gave out). */
export interface PageRequest {
  limit: number;
  before?: string;
}

/** One page of a list in the list's order; `nextCursor` goes on after its last row, null when nothing is left. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const limitError = { error: `expected a whole number from 1 to ${maxPageSize}` };

/** The query fields every list endpoint takes, to spread into its schema: `z.object({ ...pageQuery, status }).strict()`. */
export const pageQuery = {
  limit: z.coerce
    .number(limitError)
    .int(limitError)
    .min(1, limitError)
    .max(maxPageSize, limitError)
    .default(defaultPageSize),
  before: z.string({ error: 'expected one cursor (the nextCursor of the previous page)' }).max(512).optional(),
};

/** A list answer: the page's rows under the list's own name, and where the next page starts. */
export function pageAnswer<Name extends string, T>(
  name: Name,
  page: Page<T>,
): Record<Name, T[]> & { nextCursor: string | null } {
  return { [name]: page.items, nextCursor: page.nextCursor } as Record<Name, T[]> & { nextCursor: string | null };
}

/** How a key travels in a cursor: a row id, a text (a name), or a time (as epoch milliseconds). */
export type KeyKind = 'id' | 'text' | 'time';
type KeyValue = number | string | Date;

export interface KeysetOptions<Row> {
  /** Named in every cursor, so one list's cursor is refused by another. */
  list: string;
  /** The order's columns (as the query names them, constants only), the last one unique: `occurred_at`, then `id`. */
  keys: readonly { column: string; kind: KeyKind }[];
  /** Newest first is `desc`. */
  direction: 'asc' | 'desc';
  /** The keys' values in a row the query answered, in the order of `keys`. */
  keyOf(row: Row): KeyValue[];
}

/** The pieces a list query takes: `… WHERE <filters> AND ${where} ${orderAndLimit}` with `values` bound by name. */
export interface KeysetClause {
  where: string;
  orderAndLimit: string;
  values: Record<string, unknown>;
}

const notOurs = () =>
  new ValidationError('before: not a cursor this API gave out (pass the nextCursor of the previous page)', {
    field: 'before',
  });

/**
 * Keyset paging over a stable order. The cursor carries the last row's sort keys (ending in a unique id), and the next
 * page starts strictly after them, so rows written between two pages neither repeat a row nor push one out of reach
 * the way an offset would.
 */
export class Keyset<Row> {
  constructor(private readonly options: KeysetOptions<Row>) {}

  /** The condition, order and limit of `request`'s page (one row more than asked, to know whether more follow). */
  clause(request: PageRequest): KeysetClause {
    const { keys, direction } = this.options;
    const values: Record<string, unknown> = { pageLimit: request.limit + 1 };
    let where = '1 = 1';
    if (request.before !== undefined) {
      const after = this.decode(request.before);
      keys.forEach((_key, index) => (values[`pageKey${index}`] = after[index]));
      // (a < :a) OR (a = :a AND b < :b) OR …: strictly past the last row shown, whichever key tells them apart.
      const compare = direction === 'desc' ? '<' : '>';
      const arms = keys.map((key, index) =>
        [
          ...keys.slice(0, index).map((equal, at) => `${equal.column} = :pageKey${at}`),
          `${key.column} ${compare} :pageKey${index}`,
        ].join(' AND '),
      );
      where = `(${arms.map((arm) => `(${arm})`).join(' OR ')})`;
    }
    const order = keys.map((key) => `${key.column} ${direction.toUpperCase()}`).join(', ');
    return { where, orderAndLimit: `ORDER BY ${order} LIMIT :pageLimit`, values };
  }

  /** The page out of the rows `clause` selected, each turned into what the list answers with `view`. */
  page<R extends Row, T>(rows: readonly R[], request: PageRequest, view: (row: R) => T): Page<T> {
    const shown = rows.slice(0, request.limit);
    const last = shown[shown.length - 1];
    return {
      items: shown.map(view),
      nextCursor: rows.length > request.limit && last ? this.encode(this.options.keyOf(last)) : null,
    };
  }

  private encode(values: KeyValue[]): string {
    const plain = values.map((value) => (value instanceof Date ? value.getTime() : value));
    return Buffer.from(JSON.stringify([this.options.list, ...plain])).toString('base64url');
  }

  private decode(cursor: string): KeyValue[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw notOurs();
    }
    const { list, keys } = this.options;
    if (!Array.isArray(parsed) || parsed.length !== keys.length + 1 || parsed[0] !== list) throw notOurs();
    return keys.map((key, index) => keyValue(key.kind, parsed[index + 1]));
  }
}

function keyValue(kind: KeyKind, value: unknown): KeyValue {
  if (kind === 'text' && typeof value === 'string' && value.length <= 256) return value;
  if (kind === 'id' && Number.isSafeInteger(value) && (value as number) > 0) return value as number;
  // Years 1970 to 9999: what a DATETIME holds.
  if (kind === 'time' && Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) < 253402300800000)
    return new Date(value as number);
  throw notOurs();
}

/** Every row of a short list, page after page (for a bot reply that shows them all). */
export async function readAllPages<T>(read: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let before: string | undefined;
  do {
    const page = await read({ limit: maxPageSize, ...(before === undefined ? {} : { before }) });
    all.push(...page.items);
    before = page.nextCursor ?? undefined;
  } while (before !== undefined);
  return all;
}

import { Keyset } from '../util/paging';

/**
 * `GET /api/segments` and `/segment list`: by name, as operators look a segment up. Names sort byte by byte on both
 * databases (utf8mb4_bin on MySQL, SQLite's binary default); the id only completes the key.
 */
export const segmentPages = new Keyset<{ name: string; id: number }>({
  list: 'segments',
  keys: [
    { column: 'name', kind: 'text' },
    { column: 'id', kind: 'id' },
  ],
  direction: 'asc',
  keyOf: (row) => [row.name, Number(row.id)],
});

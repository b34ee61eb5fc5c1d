import type { Database } from '../../src/db/database';

/** Every table of the database, read from its catalogue: a table added by a later migration is in it too. */
export async function allTables(db: Database): Promise<string[]> {
  const rows = db.isMysql
    ? await db.select<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
      )
    : await db.select<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'",
      );
  return rows.map((row) => row.name).sort();
}

/**
 * Where a person's traces are: `table.column` for every column of every table holding a value that contains one of
 * `needles` (letter case aside; a needle of digits also when a value spells it with blanks, dashes or brackets
 * between them, as people write phone numbers). Every column, whatever its type, so none is forgotten.
 */
export async function tracesOf(db: Database, needles: readonly string[]): Promise<string[]> {
  const lowered = needles.map((needle) => needle.toLowerCase());
  const found = new Set<string>();
  for (const table of await allTables(db)) {
    const rows = await db.select<Record<string, unknown>>(`SELECT * FROM ${table}`);
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = (
          value instanceof Date ? value.toISOString() : Buffer.isBuffer(value) ? value.toString('utf8') : String(value)
        ).toLowerCase();
        const compact = text.replace(/[\s\-().]/g, '');
        if (lowered.some((needle) => text.includes(needle) || (/^\d+$/.test(needle) && compact.includes(needle))))
          found.add(`${table}.${column}`);
      }
    }
  }
  return [...found].sort();
}

/** Tables with a column naming a profile (`profile_id`, a merge's `survivor_id`/`absorbed_id`), and `profiles` itself. */
export async function tablesWithProfileColumns(db: Database): Promise<string[]> {
  const tables = new Set<string>(['profiles']);
  for (const table of await allTables(db)) {
    const columns = db.isMysql
      ? (
          await db.select<{ name: string }>(
            'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
            [table],
          )
        ).map((row) => row.name)
      : (await db.select<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)).map((row) => row.name);
    if (columns.some((column) => ['profile_id', 'survivor_id', 'absorbed_id'].includes(column))) tables.add(table);
  }
  return [...tables].sort();
}

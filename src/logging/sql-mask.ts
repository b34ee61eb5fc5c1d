/**
 * What may be shown of SQL and of a database's error messages: statements without the values they were run with,
 * messages without the values they quote. MySQL quotes the offending value in its messages (`Duplicate entry
 * 'oAbc…' for key …`, `Incorrect integer value: '…' for column …`, `… near '<the statement from there>' at line 1`),
 * and a statement formatted by a driver holds every value inline: openids, message text, attribute values.
 */

/** What a masked value reads as. */
export const maskedValue = '…';

/** Where a message names the column or key, at its end: kept (a value, quoted before it, can't reach it). */
const messageTail = /(?:\s+for\s+(?:key|column)\s+(?:'[^']*'|`[^`]*`(?:\.`[^`]*`)*))?(?:\s+at\s+(?:row|line)\s+\d+)?$/;
/** A quoted name after one of these words is the schema's (a column, a table), not a value. */
const namedBefore = /\b(?:column|table|key|field|database|index|constraint|function|procedure)\s*$/i;

/**
 * A MySQL/MariaDB error message with every quoted value masked, the names of columns, keys and tables kept:
 * `Duplicate entry '…' for key 'identities_type_scope_value'`. Everything from the first quoted value up to the tail
 * goes (a value may itself contain quotes, so nothing after it can be trusted to be a name). SQLite's messages quote
 * no values (`UNIQUE constraint failed: inbox.source_key`) and come through whole.
 */
export function maskSqlMessage(message: string): string {
  const tail = messageTail.exec(message)?.[0] ?? '';
  const head = message.slice(0, message.length - tail.length);
  for (let position = 0; ;) {
    const open = head.indexOf("'", position);
    if (open < 0) return message;
    const close = head.indexOf("'", open + 1);
    if (close < 0 || !namedBefore.test(head.slice(0, open))) return `${head.slice(0, open)}'${maskedValue}'${tail}`;
    position = close + 1;
  }
}

/**
 * A statement with its string literals masked (`WHERE value = 'oAbc…'` → `WHERE value = ?`), for statements that a
 * library formatted with their values inline (Sequelize's, when queries are logged). Persona's own statements bind
 * every value and have no literals worth keeping.
 */
export function maskSqlLiterals(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\[\s\S]|'')*'/g, '?');
}

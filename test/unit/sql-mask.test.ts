import { maskSqlLiterals, maskSqlMessage } from '../../src/logging/sql-mask';

describe('maskSqlMessage', () => {
  it.each([
    [
      "Duplicate entry 'openid-default-oAbc' for key 'identities_type_scope_value'",
      "Duplicate entry '…' for key 'identities_type_scope_value'",
    ],
    // A value that pretends to end the message can't keep itself: everything from the first value to the real tail goes.
    [
      "Duplicate entry 'a' for key 'b' for key 'identities_type_scope_value'",
      "Duplicate entry '…' for key 'identities_type_scope_value'",
    ],
    [
      "Incorrect integer value: 'oAbc' for column `persona`.`profiles`.`merged_into` at row 1",
      "Incorrect integer value: '…' for column `persona`.`profiles`.`merged_into` at row 1",
    ],
    [
      "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'text' at row 1",
      "Incorrect string value: '…' for column 'text' at row 1",
    ],
    [
      "You have an error in your SQL syntax; check the manual for the right syntax to use near 'oAbc', 'li.na@example.com')' at line 1",
      "You have an error in your SQL syntax; check the manual for the right syntax to use near '…' at line 1",
    ],
    ["Truncated incorrect DOUBLE value: '13900001234'", "Truncated incorrect DOUBLE value: '…'"],
    // A schema name before the first value stays.
    ["Unknown column 'nope' in 'field list'", "Unknown column 'nope' in '…'"],
  ])('masks the values of %s', (message, masked) => {
    expect(maskSqlMessage(message)).toBe(masked);
  });

  it.each([
    "Data too long for column 'message_id' at row 1",
    "Column 'value' cannot be null",
    'SQLITE_CONSTRAINT: UNIQUE constraint failed: identities.type, identities.scope, identities.value',
    'SQLITE_ERROR: near "SELEC": syntax error',
  ])('keeps a message that quotes no value whole: %s', (message) => {
    expect(maskSqlMessage(message)).toBe(message);
  });
});

describe('maskSqlLiterals', () => {
  it('masks string literals, escaped quotes included, and nothing else', () => {
    expect(
      maskSqlLiterals("SELECT id FROM identities WHERE value = 'o\\'Abc' AND scope = 'it''s' AND profile_id = 4"),
    ).toBe('SELECT id FROM identities WHERE value = ? AND scope = ? AND profile_id = 4');
  });
});

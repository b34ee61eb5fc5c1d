import { bindStatement } from '../../src/db/sql-statement';

const asIs = (value: unknown) => value;

describe('bindStatement', () => {
  it('turns named placeholders into positional ones, repeating a value as often as it is named', () => {
    expect(bindStatement('UPDATE t SET a = :at WHERE a < :at AND id = :id', { at: 5, id: 7 }, asIs)).toEqual({
      sql: 'UPDATE t SET a = ? WHERE a < ? AND id = ?',
      values: [5, 5, 7],
    });
  });

  it('expands arrays for IN lists, and an empty one to NULL so it matches nothing', () => {
    expect(bindStatement('SELECT 1 FROM t WHERE id IN (:ids) AND k = :k', { ids: [1, 2, 3], k: 'x' }, asIs)).toEqual({
      sql: 'SELECT 1 FROM t WHERE id IN (?, ?, ?) AND k = ?',
      values: [1, 2, 3, 'x'],
    });
    expect(bindStatement('SELECT 1 FROM t WHERE id IN (?)', [[]], asIs)).toEqual({
      sql: 'SELECT 1 FROM t WHERE id IN (NULL)',
      values: [],
    });
  });

  it('leaves placeholders inside quotes, quoted identifiers and comments alone', () => {
    const sql = "SELECT ':not', \"?\", `a:b` FROM t -- :comment ?\nWHERE s = 'it''s :x' /* ? :y */ AND id = :id";
    expect(bindStatement(sql, { id: 1 }, asIs)).toEqual({
      sql: "SELECT ':not', \"?\", `a:b` FROM t -- :comment ?\nWHERE s = 'it''s :x' /* ? :y */ AND id = ?",
      values: [1],
    });
    expect(bindStatement("SELECT '?' AS q, ? AS v", [9], asIs)).toEqual({
      sql: "SELECT '?' AS q, ? AS v",
      values: [9],
    });
  });

  it('passes every value through the scalar conversion, list items included', () => {
    const scalar = (value: unknown) => (value instanceof Date ? value.toISOString() : (value ?? null));
    const at = new Date('2026-11-23T10:00:00.123Z');
    expect(bindStatement('INSERT INTO t VALUES (?, ?, ?)', [at, undefined, [at]], scalar).values).toEqual([
      '2026-11-23T10:00:00.123Z',
      null,
      '2026-11-23T10:00:00.123Z',
    ]);
  });

  it('refuses a statement whose replacement is missing instead of binding NULL', () => {
    expect(() => bindStatement('SELECT :a, :b', { a: 1 }, asIs)).toThrow('SQL replacement :b is missing');
    expect(() => bindStatement('SELECT ?, ?', [1], asIs)).toThrow('SQL replacement 2 is missing');
  });
});

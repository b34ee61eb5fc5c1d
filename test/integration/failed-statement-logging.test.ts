import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { Database } from '../../src/db/database';
import { DatabaseStatementError } from '../../src/db/db.errors';
import { createMigrator } from '../../src/db/migrator';
import { ConflictError } from '../../src/errors/app.errors';
import { createLogger } from '../../src/logging/logger';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** What the statements below carry: an openid, what a follower wrote, an attribute value. */
const openid = 'oSecretOpenid-42';
const words = '请回电 13900001234';
const attribute = 'Marathon-VIP-蓝色';

describe('failed statements in the log', () => {
  let database: TestDatabase;
  let db: Database;
  let log: Logger;
  const lines: string[] = [];
  const now = new Date('2026-11-25T04:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    log = createLogger({ level: 'debug', destination });
    db = new Database({ url: database.url, log, logQueries: true });
    await createMigrator(db, createLogger({ level: 'silent' })).up();
    await db.execute('INSERT INTO profiles (id, created_at, updated_at) VALUES (1, ?, ?)', [now, now]);
    await db.execute(
      "INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES (1, 'openid', 'default', ?, ?)",
      [openid, now],
    );
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  /** Runs `statement`, logging its failure as Persona's workers and middleware do; answers the error. */
  async function failing(statement: () => Promise<unknown>): Promise<unknown> {
    try {
      await statement();
      return undefined;
    } catch (error) {
      log.error({ err: error }, 'statement failed');
      return error;
    }
  }
  const failures = () =>
    lines
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: Record<string, unknown> })
      .filter((line) => line.level >= 40);

  it('logs a unique violation, a value too long and a wrong type without the values or the statement formatted with them', async () => {
    lines.length = 0;
    const duplicate = await failing(() =>
      db.execute(
        "INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES (1, 'openid', 'default', ?, ?)",
        [openid, now],
      ),
    );
    expect(duplicate).toBeInstanceOf(ConflictError);
    // Too long for bot_audit.message_id (128), with what the follower wrote beside it: MySQL refuses, SQLite keeps it.
    const tooLong = await failing(() =>
      db.execute(
        "INSERT INTO bot_audit (transport, message_id, sender, text, outcome, received_at) VALUES ('http', ?, ?, ?, 'ok', ?)",
        ['m'.repeat(300), openid, `/ask ${words}`, now],
      ),
    );
    // Text where a number belongs, inside a transaction.
    const wrongType = await failing(() =>
      db.transaction(async (transaction) => {
        await db.execute(
          'UPDATE profiles SET first_touch_source = ?, merged_into = ? WHERE id = ?',
          [attribute, openid, 1],
          transaction,
        );
      }),
    );
    // Sequelize's own statements (migrations run them) fail with its errors: the statement and values many times over.
    const sequelizes = await failing(() =>
      db.sequelize.query(
        "INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES (1, 'openid', 'default', :value, :now)",
        { replacements: { value: openid, now } },
      ),
    );
    expect(sequelizes).toBeDefined();

    const text = lines.join('');
    for (const secret of [openid, words, '13900001234', attribute]) expect(text).not.toContain(secret);
    if (db.isMysql) {
      expect(tooLong).toBeInstanceOf(DatabaseStatementError);
      expect(wrongType).toBeInstanceOf(DatabaseStatementError);
      expect(failures().map((line) => [line.err?.type, line.err?.code])).toEqual([
        ['ConflictError', 'conflict'],
        ['DatabaseStatementError', 'ER_DATA_TOO_LONG'],
        ['DatabaseStatementError', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD'],
        ['UniqueConstraintError', undefined],
      ]);
      // What helps to find the cause stays: the code, the column, the statement as written (placeholders).
      const [, long, wrong] = failures();
      expect(long.err).toMatchObject({
        message: "ER_DATA_TOO_LONG: Data too long for column 'message_id' at row 1",
        errno: 1406,
        sqlState: '22001',
        statement:
          "INSERT INTO bot_audit (transport, message_id, sender, text, outcome, received_at) VALUES ('http', ?, ?, ?, 'ok', ?)",
      });
      expect(wrong.err?.message).toMatch(
        /^ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: Incorrect integer value: '…' for column .*merged_into.* at row 1$/,
      );
    } else {
      expect([tooLong, wrongType]).toEqual([undefined, undefined]);
    }
    for (const line of failures()) {
      for (const key of ['sql', 'sqlMessage', 'parameters', 'parent', 'original', 'fields', 'errors'])
        expect(line.err).not.toHaveProperty(key);
    }
  });

  it('logs queried SQL without the values it ran with', async () => {
    lines.length = 0;
    await db.select('SELECT profile_id FROM identities WHERE value = ?', [openid]);
    await db.sequelize.query('SELECT profile_id FROM identities WHERE value = :value', {
      replacements: { value: openid },
    });
    const statements = lines
      .map((line) => JSON.parse(line) as { msg: string; sql?: string })
      .filter((line) => line.msg === 'sql');
    expect(statements.map((line) => line.sql)).toEqual([
      'SELECT profile_id FROM identities WHERE value = ?',
      expect.stringMatching(/SELECT profile_id FROM identities WHERE value = \?$/),
    ]);
    expect(lines.join('')).not.toContain(openid);
  });
});

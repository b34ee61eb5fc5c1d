import { Database } from '../../src/db/database';
import { createMigrator } from '../../src/db/migrator';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const tables = ['profiles', 'identities', 'events', 'inbox', 'job_leases', 'job_runs', 'subscriptions', 'delivery_reports', 'attributes', 'audit_log'];

describe('migrations', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database({ url: database.url });
  });

  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  async function existingTables(): Promise<string[]> {
    const names = (await db.sequelize.getQueryInterface().showAllTables()) as (string | { tableName: string })[];
    return names.map((name) => (typeof name === 'string' ? name : name.tableName)).filter((name) => tables.includes(name)).sort();
  }

  it('go all the way up, all the way down, and up again', async () => {
    const migrator = createMigrator(db);
    const applied = await migrator.up();
    expect(applied.length).toBeGreaterThanOrEqual(tables.length);
    expect(await existingTables()).toEqual([...tables].sort());
    expect(await migrator.pending()).toEqual([]);

    await migrator.down({ to: 0 });
    expect(await existingTables()).toEqual([]);
    expect(await migrator.executed()).toEqual([]);

    await migrator.up();
    expect(await existingTables()).toEqual([...tables].sort());
  });

  it('undo one step at a time, each down reversing its own up', async () => {
    const migrator = createMigrator(db);
    await migrator.up();
    const names = (await migrator.executed()).map((migration) => migration.name);
    for (let step = names.length; step > 0; step -= 1) {
      await migrator.down();
      expect((await migrator.executed()).map((migration) => migration.name)).toEqual(names.slice(0, step - 1));
    }
    expect(await existingTables()).toEqual([]);
    await migrator.up();
  });

  it('keep millisecond precision and the unique keys the pipeline relies on', async () => {
    const at = new Date('2026-11-22T01:02:03.456Z');
    const id = await db.insert('INSERT INTO profiles (created_at, updated_at) VALUES (?, ?)', [at, at]);
    const [profile] = await db.select<{ id: number; created_at: unknown }>('SELECT id, created_at FROM profiles');
    expect(Number(profile.id)).toBe(id);
    expect(await db.execute('UPDATE profiles SET updated_at = ? WHERE id = ?', [new Date(), id])).toBe(1);
    expect(await db.execute('UPDATE profiles SET updated_at = ? WHERE id = ?', [new Date(), id + 1])).toBe(0);
    expect(db.parseTime(profile.created_at)?.toISOString()).toBe('2026-11-22T01:02:03.456Z');
    const identity = 'INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES (?, ?, ?, ?, ?)';
    await db.execute(identity, [profile.id, 'email', '', 'a@b.com', at]);
    await expect(db.execute(identity, [profile.id, 'email', '', 'a@b.com', at])).rejects.toMatchObject({ code: 'conflict' });
  });
});

import { Database } from '../../src/db/database';
import { createMigrator } from '../../src/db/migrator';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const tables = [
  'profiles',
  'identities',
  'events',
  'inbox',
  'job_leases',
  'job_runs',
  'subscriptions',
  'delivery_reports',
  'attributes',
  'audit_log',
];

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
    return names
      .map((name) => (typeof name === 'string' ? name : name.tableName))
      .filter((name) => tables.includes(name))
      .sort();
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

  it('index the properties of events stored before the event property index existed', async () => {
    const migrator = createMigrator(db);
    await migrator.up();
    await migrator.down({ to: '20261123150100-create-event-properties' });
    const at = new Date('2026-11-20T08:00:00.123Z');
    const profileId = await db.insert('INSERT INTO profiles (created_at, updated_at) VALUES (?, ?)', [at, at]);
    const event =
      'INSERT INTO events (profile_id, type, source, source_key, occurred_at, received_at, properties) VALUES (?, ?, ?, ?, ?, ?, ?)';
    const viewed = await db.insert(event, [
      profileId,
      'article_view',
      'test',
      'k1',
      at,
      at,
      JSON.stringify({ topic: 'sports', words: 800, nested: { a: 1 } }),
    ]);
    await db.insert(event, [profileId, 'page_view', 'test', 'k2', at, at, '{}']);
    await migrator.up();
    const rows = await db.select<Record<string, unknown>>(
      'SELECT event_id, profile_id, type, occurred_at, name, value_key, value_number FROM event_properties ORDER BY name',
    );
    expect(
      rows.map((row) => ({
        ...row,
        event_id: Number(row.event_id),
        occurred_at: db.parseTime(row.occurred_at)?.toISOString(),
      })),
    ).toEqual([
      {
        event_id: viewed,
        profile_id: profileId,
        type: 'article_view',
        occurred_at: at.toISOString(),
        name: 'topic',
        value_key: '"sports"',
        value_number: null,
      },
      {
        event_id: viewed,
        profile_id: profileId,
        type: 'article_view',
        occurred_at: at.toISOString(),
        name: 'words',
        value_key: null,
        value_number: 800,
      },
    ]);
    await db.execute('DELETE FROM event_properties');
    await db.execute('DELETE FROM events');
    await db.execute('DELETE FROM profiles');
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
    await expect(db.execute(identity, [profile.id, 'email', '', 'a@b.com', at])).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});

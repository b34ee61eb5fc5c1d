import { rowsOfProfiles, type PersonDataHandler } from '../../src/profiles/person-data';
import { tablesWithProfileColumns } from '../support/person-traces';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A new feature keeps something about people in a table of its own room: its person-data handler is all it needs for
 * the person's rows to be exported, to follow a merge and an unmerge, and to go with an erasure.
 */
describe('a new per-person table needs only its own handler', () => {
  let app: TestApp;

  /** A room's handler for its new table, as it would register it from its module's contributions. */
  const loyalty = (app: TestApp): PersonDataHandler => ({
    name: 'loyalty',
    tables: ['loyalty_points'],
    export: async (person, transaction) => ({
      loyalty_points: await rowsOfProfiles(app.persona.db, 'loyalty_points', 'profile_id', person, transaction),
    }),
    merge: { moved: ['loyalty_points'] },
    erase: async ({ profileIds }, transaction) => {
      await app.persona.db.execute(
        'DELETE FROM loyalty_points WHERE profile_id IN (:profileIds)',
        { profileIds },
        transaction,
      );
    },
  });

  beforeEach(async () => {
    app = await startTestApp();
    const id = app.persona.db.isMysql ? 'id INT AUTO_INCREMENT PRIMARY KEY' : 'id INTEGER PRIMARY KEY AUTOINCREMENT';
    await app.persona.db.execute(`CREATE TABLE loyalty_points (${id}, profile_id INT NOT NULL, points INT NOT NULL)`);
  });

  afterEach(async () => {
    await app.stop();
  });

  async function profileOf(identity: string): Promise<number> {
    const found = await app.request(`/api/profiles?identity=${identity}`);
    return ((await found.json()) as { profiles: { id: number }[] }).profiles[0].id;
  }

  async function pointsOf(profileId: number): Promise<number[]> {
    const rows = await app.persona.db.select<{ points: number }>(
      'SELECT points FROM loyalty_points WHERE profile_id = ? ORDER BY points',
      [profileId],
    );
    return rows.map((row) => Number(row.points));
  }

  it('exports, merges, unmerges and erases its rows through the registry alone', async () => {
    // Without a handler the catalogue check every erasure test makes names the table as nobody's.
    const unhandled = () =>
      tablesWithProfileColumns(app.persona.db).then((tables) =>
        tables.filter((table) => !app.persona.personData.list().some((handler) => handler.tables.includes(table))),
      );
    expect(await unhandled()).toEqual(['loyalty_points']);
    app.persona.personData.register(loyalty(app));
    expect(await unhandled()).toEqual([]);

    await app.request('/api/events', {
      method: 'POST',
      json: {
        events: [
          { id: 'a1', type: 'page_view', identities: { email: 'wang.fang@example.com' } },
          { id: 'b1', type: 'page_view', identities: { phone: '13900002222' } },
        ],
      },
    });
    await app.persona.worker.drain();
    const older = await profileOf('email:wang.fang@example.com');
    const newer = await profileOf('phone:13900002222');
    await app.persona.db.execute('INSERT INTO loyalty_points (profile_id, points) VALUES (?, 10), (?, 25)', [
      older,
      newer,
    ]);

    // One event names both: the profiles merge, and the new table's rows move with the rest.
    await app.request('/api/events', {
      method: 'POST',
      json: { id: 'c1', type: 'form_submit', identities: { email: 'wang.fang@example.com', phone: '13900002222' } },
    });
    await app.persona.worker.drain();
    expect(await profileOf('phone:13900002222')).toBe(older);
    expect(await pointsOf(older)).toEqual([10, 25]);

    const exported = await app.request(`/api/profiles/${older}/export`);
    expect(exported.status).toBe(200);
    const { tables } = (await exported.json()) as { tables: Record<string, { points: number }[]> };
    expect(tables.loyalty_points.map((row) => Number(row.points)).sort((a, b) => a - b)).toEqual([10, 25]);

    const unmerged = await app.request(`/api/profiles/${newer}/unmerge`, { method: 'POST' });
    expect(unmerged.status).toBe(200);
    expect(await pointsOf(older)).toEqual([10]);
    expect(await pointsOf(newer)).toEqual([25]);

    const erased = await app.request(`/api/profiles/${newer}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(await pointsOf(newer)).toEqual([]);
    expect(await pointsOf(older)).toEqual([10]);
  });
});

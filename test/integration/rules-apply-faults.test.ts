import { defaultRules, startTestApp, type TestApp } from '../support/test-app';
import { population, whatIfNow as now } from '../support/what-if-population';

type RulesDocument = typeof defaultRules & {
  scoring: { id: string; points: number }[];
  tags: { rules: { tag: string; when: string }[] };
};

/**
 * An apply either takes effect and says so, or changes nothing: the rules in force, the ledger, the scores and the
 * tags stay as they were. Faults are the database's own: a trigger refusing a write part-way through, and (on
 * SQLite) an expression the database refuses to evaluate.
 */
describe('a rules apply that fails', () => {
  let app: TestApp;

  beforeEach(async () => {
    // Small batches, so an apply commits several before the one that fails.
    app = await startTestApp({ rules: defaultRules, jobs: { rulesRecompute: { batchSize: 10 } } }, undefined, {
      clock: () => now,
    });
    await app.persona.accept('test', population());
    await app.persona.worker.drain();
  });

  afterEach(async () => {
    await app.stop();
  });

  /** A bigger favourite (ledger rows repriced, some profiles become loyal) and a new rule tag everyone gets. */
  const changedDocument = () => {
    const document = structuredClone(defaultRules) as RulesDocument;
    document.scoring.forEach((rule) => {
      if (rule.id === 'article-favorite') rule.points = 12;
    });
    document.tags.rules.push({ tag: 'value/odd', when: 'subscribed' });
    return document;
  };
  /** What an apply may change, in an order independent of row ids (an undone row comes back with a new id). */
  const state = async () => ({
    ledger: await app.persona.db.select(
      'SELECT event_id, rule_id, points, cap_key FROM score_ledger ORDER BY event_id, rule_id',
    ),
    scores: (
      await app.persona.db.select<{ profile_id: number; score_group: string; points: number }>(
        'SELECT profile_id, score_group, points FROM scores ORDER BY profile_id, score_group',
      )
    ).map((row) => ({ ...row, points: Number(Number(row.points).toFixed(6)) })),
    tags: await app.persona.db.select('SELECT profile_id, name, source FROM tags ORDER BY profile_id, name'),
    rules: ((await (await app.request('/api/rules')).json()) as { rules: unknown }).rules,
  });
  const provokeFault = async (profileId: number) => {
    // The last profile's new tag can't be written: the sweep has committed the batches before it by then.
    await app.persona.db.execute(
      app.persona.db.isMysql
        ? `CREATE TRIGGER provoked_fault BEFORE INSERT ON tags FOR EACH ROW BEGIN IF NEW.name = 'value/odd' AND NEW.profile_id = ${profileId} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'provoked fault'; END IF; END`
        : `CREATE TRIGGER provoked_fault BEFORE INSERT ON tags WHEN NEW.name = 'value/odd' AND NEW.profile_id = ${profileId} BEGIN SELECT RAISE(ABORT, 'provoked fault'); END`,
    );
  };

  it('part-way through is undone: the rules in force, the ledger, the scores and the tags are as they were, and it says so', async () => {
    const [{ last }] = await app.persona.db.select<{ last: number }>('SELECT MAX(id) AS last FROM profiles');
    await provokeFault(Number(last));
    const before = await state();

    const response = await app.request('/api/rules/apply?wait=true', {
      method: 'POST',
      json: { rules: changedDocument() },
    });
    expect(response.status).toBe(500);
    expect(await state()).toEqual(before);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rules_not_applied');
    // It had written before it failed: the ledger was repriced and tags were added, then taken back.
    const [{ added }] = await app.persona.db.select<{ added: number }>(
      "SELECT COUNT(*) AS added FROM events WHERE type = 'tag_added' AND properties LIKE '%value/odd%'",
    );
    expect(Number(added)).toBeGreaterThan(0);
    const [newest] = await app.persona.db.select<{ document: string }>(
      'SELECT document FROM rule_versions ORDER BY id DESC LIMIT 1',
    );
    expect(JSON.parse(newest.document)).toEqual(before.rules);
    const status = (
      (await (await app.request('/api/rules')).json()) as { backfill: { running: boolean; error?: string } }
    ).backfill;
    expect(status).toMatchObject({ running: false, error: expect.stringContaining('the rules were not applied') });

    // Without the fault the same document takes effect.
    await app.persona.db.execute('DROP TRIGGER provoked_fault');
    expect(
      (await app.request('/api/rules/apply?wait=true', { method: 'POST', json: { rules: changedDocument() } })).status,
    ).toBe(200);
    const [{ odd }] = await app.persona.db.select<{ odd: number }>(
      "SELECT COUNT(*) AS odd FROM tags WHERE name = 'value/odd'",
    );
    expect(Number(odd)).toBe(80);
  });

  it('with a rule the database refuses is refused before anything changes, or (where the database takes it) takes effect', async () => {
    // 990 conditions on one event: SQLite refuses the expression tree (deeper than 1,000); MariaDB evaluates it.
    const document = structuredClone(defaultRules) as RulesDocument;
    document.tags.rules.push({
      tag: 'value/odd',
      when: `event:page_view[${Array.from({ length: 990 }, () => 'u=a').join(',')}]`,
    });
    const before = await state();
    const versions = async () =>
      Number((await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM rule_versions'))[0].n);
    const versionsBefore = await versions();

    const preview = await app.request('/api/rules/preview', { method: 'POST', json: { rules: document } });
    const applied = await app.request('/api/rules/apply?wait=true', { method: 'POST', json: { rules: document } });
    if (app.persona.db.isMysql) {
      expect([preview.status, applied.status]).toEqual([200, 200]);
      expect(((await (await app.request('/api/rules')).json()) as { rules: unknown }).rules).toEqual(document);
      return;
    }
    for (const response of [preview, applied]) {
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { details: { problems: string[] } } };
      expect(error.details.problems).toEqual([expect.stringMatching(/tag value\/odd.*Expression tree is too large/)]);
    }
    expect(await state()).toEqual(before);
    expect(await versions()).toBe(versionsBefore);
  });
});

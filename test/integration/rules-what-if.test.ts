import { parseRulesDocument } from '../../src/rules/rules-provider';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';
import { population, whatIfNow } from '../support/what-if-population';

const now = whatIfNow;

type RulesDocument = typeof defaultRules & { scoring: { id: string; points: number; cap?: unknown }[] };

describe('what-if and apply', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ rules: defaultRules }, undefined, { clock: () => now });
    await app.persona.accept('test', population());
    await app.persona.worker.drain();
  });

  afterEach(async () => {
    await app.stop();
  });

  const changed = (change: (rule: RulesDocument['scoring'][number]) => void) => {
    const document = structuredClone(defaultRules) as RulesDocument;
    document.scoring.forEach(change);
    return document;
  };
  const snapshot = () =>
    Promise.all(
      ['score_ledger', 'scores', 'tags', 'events', 'rule_versions'].map((table) =>
        app.persona.db.select(`SELECT * FROM ${table} ORDER BY id`),
      ),
    );
  const loyalProfiles = async () =>
    (
      await app.persona.db.select<{ profile_id: number }>(
        "SELECT profile_id FROM tags WHERE name = 'loyal' ORDER BY profile_id",
      )
    ).map((row) => Number(row.profile_id));

  it('reports how many profiles a bigger favourite makes loyal, writes nothing, and applying it makes exactly those loyal', async () => {
    const document = changed((rule) => {
      if (rule.id === 'article-favorite') rule.points = 12;
    });
    const before = await snapshot();
    const loyalBefore = await loyalProfiles();
    const response = await app.request('/api/rules/preview', { method: 'POST', json: { rules: document } });
    expect(response.status).toBe(200);
    const preview = (await response.json()) as {
      scoring: {
        repriced: string[];
        replayed: string[];
        profilesChanged: number;
        distribution: { from: number; before: number; after: number }[];
        mean: { before: number; after: number };
      };
      tags: { tag: string; holders: number; gain: number; lose: number }[];
    };
    expect(await snapshot()).toEqual(before);
    expect(preview.scoring.repriced).toEqual(['article-favorite']);
    expect(preview.scoring.replayed).toEqual([]);
    const loyal = preview.tags.find((tag) => tag.tag === 'loyal');
    expect(loyal?.holders).toBe(loyalBefore.length);
    // The population is built so that the change matters.
    expect(loyal?.gain).toBeGreaterThan(0);
    expect(loyal?.lose).toBe(0);
    expect(preview.scoring.mean.after).toBeGreaterThan(preview.scoring.mean.before);
    const total = (side: 'before' | 'after') => preview.scoring.distribution.reduce((sum, band) => sum + band[side], 0);
    expect(total('after')).toBe(total('before'));
    expect(total('before')).toBe(80);

    const applied = await app.request('/api/rules/apply?wait=true', { method: 'POST', json: { rules: document } });
    expect(applied.status).toBe(200);
    const loyalAfter = await loyalProfiles();
    expect(loyalAfter.length - loyalBefore.length).toBe(loyal?.gain);
    expect(loyalBefore.every((id) => loyalAfter.includes(id))).toBe(true);
    // The ledger now prices every favourite at 12, and each score is its ledger.
    expect(
      await app.persona.db.select("SELECT DISTINCT points FROM score_ledger WHERE rule_id = 'article-favorite'"),
    ).toEqual([{ points: 12 }]);
    for (const id of loyalAfter.slice(0, 5)) {
      const explained = (await (await app.request(`/api/profiles/${id}/explain`)).json()) as {
        score: { total: number };
      };
      expect(explained.score.total).toBeGreaterThanOrEqual(90);
    }
    // The new rules are in force and recorded: the next favourite earns 12.
    const rules = (await (await app.request('/api/rules')).json()) as { rules: RulesDocument };
    expect(rules.rules.scoring.find((rule) => rule.id === 'article-favorite')?.points).toBe(12);
    const [{ source }] = await app.persona.db.select<{ source: string }>(
      'SELECT source FROM rule_versions ORDER BY id DESC LIMIT 1',
    );
    expect(source).toBe('api');
  });

  it('scores again from the events when a cap changes, and the preview counts what applying then does', async () => {
    const document = changed((rule) => {
      if (rule.id === 'article-read') rule.cap = { max: 5, per: '1d' };
    });
    const loyalBefore = await loyalProfiles();
    const preview = (await (
      await app.request('/api/rules/preview', { method: 'POST', json: { rules: document } })
    ).json()) as {
      scoring: { replayed: string[]; dropped: string[] };
      tags: { tag: string; gain: number; lose: number }[];
    };
    expect(preview.scoring.replayed).toEqual(['article-read']);
    expect(preview.scoring.dropped).toEqual(['article-read']);
    const gain = preview.tags.find((tag) => tag.tag === 'loyal')?.gain ?? -1;
    expect(gain).toBeGreaterThan(0);
    await app.request('/api/rules/apply?wait=true', { method: 'POST', json: { rules: document } });
    expect((await loyalProfiles()).length - loyalBefore.length).toBe(gain);
    // Up to five reads a day count now.
    const [{ most }] = await app.persona.db.select<{ most: number }>(
      "SELECT MAX(n) AS most FROM (SELECT COUNT(*) AS n FROM score_ledger WHERE rule_id = 'article-read' GROUP BY profile_id, cap_key) t",
    );
    expect(Number(most)).toBe(5);
  });

  it('rebuilds the ledger from the events when the rules in force are applied again (finishing a failed backfill)', async () => {
    const ledger = () =>
      app.persona.db.select('SELECT event_id, rule_id, points, cap_key FROM score_ledger ORDER BY event_id, rule_id');
    const scores = () =>
      app.persona.db.select<{ profile_id: number; points: number }>(
        'SELECT profile_id, SUM(points) AS points FROM scores GROUP BY profile_id ORDER BY profile_id',
      );
    const before = await ledger();
    const scored = await scores();
    // As a backfill that died half-way could leave it: rows missing, a score wrong.
    await app.persona.db.execute(
      "DELETE FROM score_ledger WHERE rule_id = 'article-read' AND profile_id IN (SELECT id FROM profiles WHERE id % 2 = 0)",
    );
    await app.persona.db.execute('UPDATE scores SET points = 0');
    const response = await app.request('/api/rules/apply?wait=true', { method: 'POST', json: { rules: defaultRules } });
    expect(response.status).toBe(200);
    expect(await ledger()).toEqual(before);
    const rebuilt = await scores();
    expect(rebuilt.map((row) => row.profile_id)).toEqual(scored.map((row) => row.profile_id));
    rebuilt.forEach((row, index) => expect(Number(row.points)).toBeCloseTo(Number(scored[index].points), 6));
  });

  it('runs one apply at a time: a second while the first backfills is refused, and the state says how it went', async () => {
    const document = parseRulesDocument(
      changed((rule) => {
        if (rule.id === 'qr-scan') rule.points = 9;
      }),
    );
    const first = app.persona.rulesModule.backfill.start(document, 'test', now, app.persona.log);
    expect(() => app.persona.rulesModule.backfill.start(document, 'test', now, app.persona.log)).toThrow(
      'rules are being applied already',
    );
    expect(app.persona.rulesModule.backfill.status).toMatchObject({ running: true, actor: 'test' });
    const outcome = await first.done;
    const state = (await (await app.request('/api/rules')).json()) as {
      backfill: { running: boolean; outcome: unknown };
    };
    expect(state.backfill).toMatchObject({ running: false, outcome });
  });

  it('refuses a rules document that does not validate, naming each problem', async () => {
    const document = changed((rule) => {
      if (rule.id === 'article-favorite') rule.points = 1.5;
    });
    const response = await app.request('/api/rules/preview', {
      method: 'POST',
      json: { rules: { ...document, scoreGroups: { engagement: { halfLifeDays: -1 } } } },
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { details: { problems: string[] } } };
    expect(error.details.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('scoring[2].points: expected whole points'),
        expect.stringContaining('scoreGroups.engagement.halfLifeDays'),
      ]),
    );
    expect((await app.request('/api/rules/apply', { method: 'POST', json: { nothing: true } })).status).toBe(400);
  });
});

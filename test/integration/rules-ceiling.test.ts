import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

type Problems = { error: { code: string; details: { problems: string[] } } };

/**
 * A rules document beyond the configured ceiling is refused before any work (a preview or apply costs events × rules),
 * and the server says how busy its event loop has been.
 */
describe('the rules ceiling', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ rules: defaultRules, rulesCeiling: { scoring: 6, tagRules: 40 } });
  });

  afterAll(async () => {
    await app.stop();
  });

  const withScoringRules = (count: number) => ({
    ...defaultRules,
    scoring: Array.from({ length: count }, (_, i) => ({
      id: `read-${i}`,
      on: 'article_view',
      points: 1,
      group: 'engagement',
    })),
  });
  const rulesInForce = async () => ((await (await app.request('/api/rules')).json()) as { rules: unknown }).rules;
  const versions = async () =>
    Number((await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM rule_versions'))[0].n);

  it('answers 400 naming the limit and its key for too many scoring rules, on preview and apply alike, and changes nothing', async () => {
    const before = { rules: await rulesInForce(), versions: await versions() };
    for (const path of ['/api/rules/preview', '/api/rules/apply', '/api/rules/apply?wait=true']) {
      const response = await app.request(path, { method: 'POST', json: { rules: withScoringRules(7) } });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as Problems;
      expect(error.code).toBe('validation_failed');
      expect(error.details.problems).toEqual([
        'scoring: 7 scoring rules, more than the 6 this server allows (rulesCeiling.scoring)',
      ]);
    }
    expect({ rules: await rulesInForce(), versions: await versions() }).toEqual(before);
    expect(app.persona.rulesModule.backfill.status).toMatchObject({ running: false });
    // At the ceiling is fine.
    expect(
      (await app.request('/api/rules/preview', { method: 'POST', json: { rules: withScoringRules(6) } })).status,
    ).toBe(200);
  });

  it('counts a tag rule with `each` as one rule per value', async () => {
    const topics = Array.from({ length: 41 }, (_, i) => `topic${i}`);
    const document = {
      ...defaultRules,
      tags: {
        ...(defaultRules.tags as object),
        rules: [{ tag: 'interest/{topic}', when: 'event:article_view[topic={topic}] >= 3', each: { topic: topics } }],
      },
    };
    const response = await app.request('/api/rules/preview', { method: 'POST', json: { rules: document } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problems).error.details.problems).toEqual([
      'tags.rules: 41 tag rules (each value of an each counts as one), more than the 40 this server allows (rulesCeiling.tagRules)',
    ]);
  });

  it('exports the event loop lag to /metrics', async () => {
    const text = await (await app.request('/metrics')).text();
    for (const name of [
      'persona_nodejs_eventloop_lag_seconds',
      'persona_nodejs_eventloop_lag_p99_seconds',
      'persona_nodejs_eventloop_lag_max_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });
});

import { countRows } from '../support/inbound-senders';
import { startTestApp, type TestApp } from '../support/test-app';

interface Answer {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** POST /api/events says how many of the accepted events it already had, so a retry can be told from new data. */
describe('duplicates in the answer to POST /api/events', () => {
  let app: TestApp;
  /** A second instance on the same database: concurrent requests that don't share a process. */
  let other: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    other = await startTestApp({}, app.database);
  });

  afterAll(async () => {
    await other.stop();
    await app.stop();
  });

  const event = (id: string) => ({
    id,
    type: 'page_view',
    occurredAt: '2026-11-02T00:00:00Z',
    identities: { anonymousId: `visitor-${id}` },
  });

  async function post(to: TestApp, ids: string[]): Promise<Answer> {
    const response = await to.request('/api/events', { method: 'POST', json: { events: ids.map(event) } });
    expect(response.status).toBe(202);
    return (await response.json()) as Answer;
  }

  it('counts the events of a request that were already known', async () => {
    expect(await post(app, ['a1', 'a2', 'a3'])).toEqual({ accepted: 3, duplicates: 0, rejected: 0, errors: [] });
    expect(await post(app, ['a1', 'a2', 'a3'])).toEqual(expect.objectContaining({ accepted: 3, duplicates: 3 }));
    expect(await post(app, ['a2', 'a4', 'a3'])).toEqual(expect.objectContaining({ accepted: 3, duplicates: 2 }));
    // The same id twice in one request is stored once: the second is a duplicate of the first.
    expect(await post(app, ['a5', 'a5'])).toEqual(expect.objectContaining({ accepted: 2, duplicates: 1 }));
    // Without ids every event is new.
    const anonymous = await app.request('/api/events', {
      method: 'POST',
      json: { type: 'page_view', identities: { anonymousId: 'visitor-x' } },
    });
    expect(await anonymous.json()).toEqual(expect.objectContaining({ accepted: 1, duplicates: 0 }));
  });

  it('counts right per request when concurrent requests share statements and instances', async () => {
    const before = await countRows(app, 'inbox');
    // 40 requests at once, on two instances: each sends 5 ids every request sends and 3 of its own, in its own order.
    const shared = ['s1', 's2', 's3', 's4', 's5'];
    const requests = Array.from({ length: 40 }, (_, index) => {
      const own = [`r${index}-1`, `r${index}-2`, `r${index}-3`];
      const ids = index % 2 === 0 ? [...shared, ...own] : [...own, ...shared.slice().reverse()];
      return post(index % 3 === 0 ? other : app, ids);
    });
    const answers = await Promise.all(requests);
    const stored = await countRows(app, 'inbox');
    expect(stored - before).toBe(5 + 40 * 3);
    // What each request says it added is exactly what was added.
    expect(answers.reduce((sum, answer) => sum + answer.accepted - answer.duplicates, 0)).toBe(stored - before);
    // Each shared id was new to exactly one request, and no request's own ids were ever duplicates.
    expect(answers.every((answer) => answer.duplicates >= 0 && answer.duplicates <= 5)).toBe(true);
    expect(answers.reduce((sum, answer) => sum + answer.duplicates, 0)).toBe(40 * 5 - 5);

    // Sent again, all at once: everything is a duplicate.
    const again = await Promise.all(
      requests.map((_, index) => post(index % 2 === 0 ? app : other, [...shared, `r${index}-1`])),
    );
    expect(again.map((answer) => answer.duplicates)).toEqual(again.map(() => 6));
  });
});

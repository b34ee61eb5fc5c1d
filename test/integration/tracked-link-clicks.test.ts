import { FakeWechatApi } from '../support/fake-wechat-api';
import { profileOf, pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const hour = 3_600_000;

describe('tracked links: one click per recipient, link and minute', () => {
  let database: TestDatabase;
  let fake: FakeWechatApi;
  let app: TestApp;
  let other: TestApp | undefined;
  // Noon in Shanghai, outside quiet hours.
  let now = new Date('2026-11-25T04:00:00Z');
  const settings = () => ({
    plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
    pushes: { ...pushSettings(), publicUrl: 'https://persona.example.com' },
  });

  beforeEach(async () => {
    now = new Date('2026-11-25T04:00:00Z');
    database = await createTestDatabase();
    fake = await FakeWechatApi.start();
    app = await startTestApp(settings(), database, { clock: () => now });
  });

  afterEach(async () => {
    await other?.stop();
    other = undefined;
    await app.stop();
    await fake.close();
    await database.drop();
  });

  /** A customer-service push to one follower with two links; answers the tokens of the links they got. */
  async function sentLinks(): Promise<string[]> {
    await record(app, 'oReader', [
      { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 24 * hour) },
      {
        key: 'hi',
        type: 'message',
        at: new Date(now.getTime() - hour),
        properties: { subtype: 'text', content: 'hi' },
      },
    ]);
    const content = {
      message: { type: 'text', text: '报名 https://brand.cn/run 须知 https://brand.cn/faq' },
      trackLinks: true,
    };
    const planned = await app.request('/api/pushes', { method: 'POST', json: { expression: 'subscribed', content } });
    const { id } = (await planned.json()) as { id: number };
    expect((await app.request(`/api/pushes/${id}/confirm`, { method: 'POST' })).status).toBe(200);
    await app.persona.pushWorker.drain();
    const text = (fake.customMessages[0].body as { text: { content: string } }).text.content;
    return [...text.matchAll(/\/r\/(\S+)/g)].map((match) => match[1]);
  }
  const open = (on: TestApp, token: string) => on.request(`/r/${token}`, { auth: null, redirect: 'manual' });
  async function clicks(): Promise<{ link: number; at: string }[]> {
    await app.persona.worker.drain();
    const response = await app.request(`/api/profiles/${await profileOf(app, 'oReader')}/timeline?limit=200`);
    const { events } = (await response.json()) as {
      events: { type: string; occurredAt: string; properties: { link: number } }[];
    };
    return events
      .filter((event) => event.type === 'push_click')
      .map((event) => ({ link: event.properties.link, at: event.occurredAt }))
      .reverse();
  }

  it('counts 50 requests of a link in a minute as one click, on every instance, and the next minute’s as another', async () => {
    const [run, faq] = await sentLinks();
    const start = now.getTime();
    const answers: [number, string | null][] = [];
    for (let i = 0; i < 50; i += 1) {
      now = new Date(start + i * 900);
      const answer = await open(app, run);
      answers.push([answer.status, answer.headers.get('location')]);
    }
    expect(answers).toEqual(Array.from({ length: 50 }, () => [302, 'https://brand.cn/run']));
    expect(await clicks()).toEqual([{ link: 0, at: '2026-11-25T04:00:00.000Z' }]);

    // Later in the same minute, at once on this instance and on another one sharing the database: still one.
    now = new Date('2026-11-25T04:00:45Z');
    other = await startTestApp(settings(), database, { clock: () => now });
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => open(i % 2 ? (other as TestApp) : app, run)));
    expect(burst.map((answer) => answer.status)).toEqual(Array.from({ length: 10 }, () => 302));
    // Another link of the same push is another click.
    expect((await open(other, faq)).headers.get('location')).toBe('https://brand.cn/faq');
    expect(await clicks()).toEqual([
      { link: 0, at: '2026-11-25T04:00:00.000Z' },
      { link: 1, at: '2026-11-25T04:00:45.000Z' },
    ]);

    now = new Date('2026-11-25T04:01:02Z');
    await Promise.all([open(app, run), open(other, run), open(app, run)]);
    expect(await clicks()).toEqual([
      { link: 0, at: '2026-11-25T04:00:00.000Z' },
      { link: 1, at: '2026-11-25T04:00:45.000Z' },
      { link: 0, at: '2026-11-25T04:01:02.000Z' },
    ]);
  });

  it('redirects even when the click can’t be recorded', async () => {
    const [run] = await sentLinks();
    await app.persona.db.execute('ALTER TABLE inbox RENAME TO inbox_away');
    try {
      const answer = await open(app, run);
      expect([answer.status, answer.headers.get('location')]).toEqual([302, 'https://brand.cn/run']);
    } finally {
      await app.persona.db.execute('ALTER TABLE inbox_away RENAME TO inbox');
    }
    // Not remembered as recorded: the next request records it.
    expect((await open(app, run)).status).toBe(302);
    expect(await clicks()).toEqual([{ link: 0, at: '2026-11-25T04:00:00.000Z' }]);
  });
});

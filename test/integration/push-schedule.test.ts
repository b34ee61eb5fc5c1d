import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

describe('scheduled and recurring pushes', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  let now = new Date('2026-11-27T04:00:00Z');

  beforeEach(async () => {
    now = new Date('2026-11-27T04:00:00Z');
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      { plugins: { 'wechat-official-account': wechatApiPlugin(fake) }, pushes: pushSettings() },
      undefined,
      { clock: () => now },
    );
    for (const openid of ['oWeekly1', 'oWeekly2'])
      await record(app, openid, [
        { key: 'follow', type: 'subscribe', at: new Date('2026-11-01T00:00:00Z'), tags: { add: ['digest'] } },
      ]);
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const post = async (path: string, json?: unknown) => {
    const response = await app.request(path, { method: 'POST', ...(json === undefined ? {} : { json }) });
    return {
      status: response.status,
      body: (await response.json()) as {
        id: number;
        status: string;
        parentId: number | null;
        error?: { message: string };
      },
    };
  };

  it('holds a push with a send time until then', async () => {
    const planned = await post('/api/pushes', {
      expression: 'tag:digest',
      content: { message: { type: 'text', text: '周末特惠' } },
      sendAt: '2026-11-28T10:00:00+08:00',
    });
    expect((await post(`/api/pushes/${planned.body.id}/confirm`)).body.status).toBe('scheduled');
    expect(await app.persona.pushWorker.drain()).toBe(0);
    now = new Date('2026-11-28T02:00:00Z');
    await app.persona.pushWorker.drain();
    expect(fake.massSends).toHaveLength(1);
  });

  it('runs a recurring push on its schedule, once per matching minute, to the audience of that moment', async () => {
    const planned = await post('/api/pushes', {
      name: 'Weekly digest',
      expression: 'tag:digest',
      content: { message: { type: 'text', text: '本周精选' } },
      schedule: '0 10 * * 1',
    });
    expect(planned.status).toBe(201);
    expect((await post(`/api/pushes/${planned.body.id}/confirm`)).body.status).toBe('active');

    // Monday 10:00 in Shanghai.
    now = new Date('2026-11-30T02:00:00Z');
    expect(await app.persona.pushesModule.recurring.runDue(new Date('2026-11-30T01:59:00Z'))).toEqual([]);
    const [run] = await app.persona.pushesModule.recurring.runDue(now);
    expect(await app.persona.pushesModule.recurring.runDue(now)).toEqual([]);
    await app.persona.pushWorker.drain();
    expect(fake.massSends.map((send) => send.touser.sort())).toEqual([['oWeekly1', 'oWeekly2']]);
    const shown = (await (await app.request(`/api/pushes/${run}`)).json()) as {
      status: string;
      parentId: number;
      name: string;
    };
    expect(shown).toMatchObject({
      status: 'done',
      parentId: planned.body.id,
      name: 'Weekly digest · 2026-11-30 02:00',
    });

    // A week later the audience has grown; after cancelling, no more runs.
    await record(app, 'oWeekly3', [{ key: 'follow', type: 'subscribe', at: now, tags: { add: ['digest'] } }]);
    now = new Date('2026-12-07T02:00:00Z');
    expect(await app.persona.pushesModule.recurring.runDue(now)).toHaveLength(1);
    await app.persona.pushWorker.drain();
    expect(fake.massSends[1].touser.sort()).toEqual(['oWeekly1', 'oWeekly2', 'oWeekly3']);
    await post(`/api/pushes/${planned.body.id}/cancel`);
    now = new Date('2026-12-14T02:00:00Z');
    expect(await app.persona.pushesModule.recurring.runDue(now)).toEqual([]);

    const invalid = await post('/api/pushes', {
      expression: 'tag:digest',
      content: { message: { type: 'text', text: 'x' } },
      schedule: 'every monday',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.message).toMatch(/cron/);
  });

  it('keeps a saved segment that a recurring or planned push will still read from being deleted', async () => {
    expect((await post('/api/segments', { name: 'digest-readers', expression: 'tag:digest' })).status).toBe(201);
    const recurring = await post('/api/pushes', {
      segment: 'digest-readers',
      content: { message: { type: 'text', text: '本周精选' } },
      schedule: '0 10 * * 1',
    });
    await post(`/api/pushes/${recurring.body.id}/confirm`);
    const planned = await post('/api/pushes', {
      expression: 'segment:digest-readers AND NOT tag:vip',
      content: { message: { type: 'text', text: '试试' } },
    });
    const sent = await post('/api/pushes', {
      segment: 'digest-readers',
      content: { message: { type: 'text', text: '已发送' } },
    });
    await post(`/api/pushes/${sent.body.id}/confirm`);

    const refused = await app.request('/api/segments/digest-readers', { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      `segment digest-readers is used by push ${recurring.body.id} (active), push ${planned.body.id} (planned)`,
    );
    await post(`/api/pushes/${recurring.body.id}/cancel`);
    await post(`/api/pushes/${planned.body.id}/cancel`);
    expect((await app.request('/api/segments/digest-readers', { method: 'DELETE' })).status).toBe(204);
  });
});

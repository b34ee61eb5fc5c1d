import { FakeWechatApi } from '../support/fake-wechat-api';
import { operatorOpenid, pushEventsOf, pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { PushOutbox } from '../../src/pushes/push-outbox.repository';
import { startTestApp, type TestApp } from '../support/test-app';

const hour = 3_600_000;

interface PushReportBody {
  status: string;
  report: {
    byStatus: Record<string, number>;
    failed: Record<string, number>;
    byChannel: Record<string, { sent: number; failed: number }>;
  };
}

/** Counts how often each openid received something (a mass send's list counts for each of its openids). */
function receipts(fake: FakeWechatApi): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (openid: string) => counts.set(openid, (counts.get(openid) ?? 0) + 1);
  for (const message of fake.customMessages) add(message.touser);
  for (const send of fake.massSends) for (const openid of new Set(send.touser)) add(openid);
  return counts;
}

describe('push delivery under faults and with two instances', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  let now = new Date('2026-11-25T04:00:00Z');
  const chatting = Array.from({ length: 8 }, (_, index) => `oChat${index}`);
  const quiet = Array.from({ length: 12 }, (_, index) => `oQuiet${index}`);

  const setUp = async (worker: Record<string, unknown> = {}) => {
    now = new Date('2026-11-25T04:00:00Z');
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: { ...pushSettings(), worker: { ...(pushSettings().worker as object), ...worker } },
      },
      undefined,
      { clock: () => now },
    );
    for (const follower of [...chatting, ...quiet]) {
      await record(app, follower, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(now.getTime() - 100 * hour),
          tags: { add: ['campaign/faults'] },
        },
      ]);
    }
    for (const follower of chatting) {
      await record(app, follower, [
        {
          key: 'hi',
          type: 'message',
          at: new Date(now.getTime() - hour),
          properties: { subtype: 'text', content: 'hi' },
        },
      ]);
    }
  };

  const pushNow = async () => {
    const planned = (await (
      await app.request('/api/pushes', {
        method: 'POST',
        json: { expression: 'tag:campaign/faults', content: { message: { type: 'text', text: '上新啦' } } },
      })
    ).json()) as { id: number; plan: { channels: Record<string, number> } };
    expect(planned.plan.channels).toMatchObject({ customer_service: 8, mass: 12 });
    expect((await app.request(`/api/pushes/${planned.id}/confirm`, { method: 'POST' })).status).toBe(200);
    return planned.id;
  };
  const report = async (id: number) => (await (await app.request(`/api/pushes/${id}`)).json()) as PushReportBody;

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it('recovers from token expiry mid-run, retries -1 and 5xx, and fails only the follower WeChat refuses (45015)', async () => {
    await setUp({ batchSize: 5 });
    const id = await pushNow();
    fake.failOpenid('oChat3', 45015);
    fake.inject({ path: 'message/custom/send', errcode: -1, errmsg: 'system error' });
    fake.inject({ path: 'message/custom/send', status: 503 });
    fake.inject({ path: 'message/mass/send', status: 502 });
    fake.inject({ path: 'message/mass/send', errcode: -1, errmsg: 'system error' });
    // One claim (the first five recipients), then the token runs out in the middle of the run: the next call is
    // refused, the token refreshed once and the call retried.
    expect(await app.persona.pushWorker.runOnce()).toBe(5);
    fake.inject({ path: 'message/custom/send', expireTokens: true });
    await app.persona.pushWorker.drain();

    const shown = await report(id);
    expect(shown.status).toBe('done');
    expect(shown.report.byStatus).toEqual({ sent: 19, failed: 1 });
    expect(shown.report.failed).toEqual({ '45015': 1 });
    expect(fake.pendingFaults).toBe(0);
    const counts = receipts(fake);
    for (const follower of [...chatting, ...quiet])
      expect([follower, counts.get(follower) ?? 0]).toEqual([follower, follower === 'oChat3' ? 0 : 1]);
    // One attempt at the refused follower: a permanent error is not retried.
    expect(
      fake.requests.filter(
        (request) =>
          request.path.endsWith('message/custom/send') && (request.body as { touser?: string }).touser === 'oChat3',
      ),
    ).toHaveLength(1);
    expect(await pushEventsOf(app, 'oChat3')).toEqual([
      expect.objectContaining({
        type: 'push_failed',
        properties: expect.objectContaining({ code: '45015', via: 'customer_service' }),
      }),
    ]);
    expect(fake.tokensIssued).toBeGreaterThanOrEqual(2);
  });

  it('two instances draining the same push deliver each recipient once', async () => {
    await setUp({ batchSize: 3 });
    const second = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: { ...pushSettings(), worker: { ...(pushSettings().worker as object), batchSize: 3 } },
      },
      app.database,
      { clock: () => now },
    );
    try {
      const id = await pushNow();
      fake.latencyMs = 5;
      await Promise.all([
        app.persona.pushWorker.drain(),
        second.persona.pushWorker.drain(),
        app.persona.pushWorker.drain(),
      ]);
      const shown = await report(id);
      expect(shown.report.byStatus).toEqual({ sent: 20 });
      const counts = receipts(fake);
      counts.delete(operatorOpenid);
      expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      expect(counts.size).toBe(20);
      // Each recipient's send is on their timeline once.
      for (const follower of ['oChat0', 'oQuiet11'])
        expect((await pushEventsOf(app, follower)).map((event) => event.type)).toEqual(['push_sent']);
    } finally {
      await second.persona.stop();
    }
  });

  it('takes over recipients of an instance that died: one cut off in flight is recorded as sent, unconfirmed, not sent again', async () => {
    await setUp();
    const id = await pushNow();
    // An instance claims the first three chatting recipients, decides them, marks the first as leaving, and dies.
    const outbox = new PushOutbox(app.persona.db, app.persona.timeline);
    const { rows } = await outbox.claim('dead-instance', 3, 1000, now);
    await outbox.settle(
      rows,
      rows.map((row, index) => ({
        id: row.id,
        status: 'decided' as const,
        channel: 'customer_service',
        openid: chatting[index],
      })),
      'dead-instance',
      now,
    );
    await outbox.markAttempted([rows[0].id], 'dead-instance', 1000, now);

    // Its lease runs out; this instance takes over.
    now = new Date(now.getTime() + 2000);
    await app.persona.pushWorker.drain();
    const shown = (await (await app.request(`/api/pushes/${id}`)).json()) as PushReportBody & {
      report: { unconfirmed: number };
    };
    expect(shown.report.byStatus).toEqual({ sent: 20 });
    expect(shown.report.unconfirmed).toBe(1);
    const counts = receipts(fake);
    expect(counts.get(chatting[0])).toBeUndefined();
    for (const follower of [...chatting.slice(1), ...quiet])
      expect([follower, counts.get(follower)]).toEqual([follower, 1]);
    expect((await pushEventsOf(app, chatting[0])).map((event) => [event.type, event.properties.unconfirmed])).toEqual([
      ['push_sent', true],
    ]);
  });
});

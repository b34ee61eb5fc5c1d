import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushEventsOf, pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

const day = 86_400_000;

describe('push automations', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      {
        rules: defaultRules,
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: pushSettings({ perDay: 5, perWeek: 10 }),
      },
      undefined,
      { clock: () => now },
    );
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const automation = async (body: Record<string, unknown>) => {
    const planned = await app.request('/api/pushes', { method: 'POST', json: body });
    expect(planned.status).toBe(201);
    const { id } = (await planned.json()) as { id: number };
    const confirmed = await app.request(`/api/pushes/${id}/confirm`, { method: 'POST' });
    expect(confirmed.status).toBe(200);
    expect(((await confirmed.json()) as { status: string }).status).toBe('active');
    return id;
  };
  const deliver = () => app.persona.pushWorker.drain();
  const textsTo = (openid: string) =>
    fake.customMessages
      .filter((message) => message.touser === openid)
      .map((message) => (message.body as { text: { content: string } }).text.content);

  it('welcomes a new follower once, on entering lifecycle/new, through the window the follow opened', async () => {
    const id = await automation({
      name: 'welcome',
      trigger: { on: 'tag_added', tag: 'lifecycle/new' },
      content: { message: { type: 'text', text: '欢迎！新人礼券已到账' } },
    });
    await record(app, 'oNewcomer', [{ key: 'follow', type: 'subscribe', at: now }]);
    await deliver();
    expect(textsTo('oNewcomer')).toEqual(['欢迎！新人礼券已到账']);
    expect(
      (await pushEventsOf(app, 'oNewcomer')).map((event) => [
        event.type,
        event.properties.pushId,
        event.properties.via,
      ]),
    ).toEqual([['push_sent', id, 'customer_service']]);

    // Leaving and coming back makes them new again: the automation has reached them already.
    await record(app, 'oNewcomer', [
      { key: 'unfollow', type: 'unsubscribe', at: new Date(now.getTime() + 1000) },
      { key: 'follow-again', type: 'subscribe', at: new Date(now.getTime() + 2000) },
    ]);
    await deliver();
    expect(textsTo('oNewcomer')).toHaveLength(1);

    // Stopped: nobody else gets it.
    expect((await app.request(`/api/pushes/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    await record(app, 'oLate', [{ key: 'follow', type: 'subscribe', at: now }]);
    await deliver();
    expect(textsTo('oLate')).toEqual([]);
  });

  it('sends the welcome-back note on leaving a tag, to those its filter selects, under the same policy', async () => {
    const longAgo = new Date(now.getTime() - 30 * day);
    for (const [openid, city] of [
      ['oShanghai', 'Shanghai'],
      ['oBeijing', 'Beijing'],
      ['oOptedOut', 'Shanghai'],
    ]) {
      await record(app, openid, [
        { key: 'follow', type: 'subscribe', at: longAgo, attributes: { city }, tags: { add: ['vip/paused'] } },
      ]);
    }
    await record(app, 'oOptedOut', [
      { key: 'no', type: 'form_submit', at: longAgo, attributes: { marketingConsent: false } },
    ]);
    const id = await automation({
      name: 'welcome back',
      trigger: { on: 'tag_removed', tag: 'vip/paused' },
      expression: 'city:Shanghai',
      content: { message: { type: 'text', text: '欢迎回来' } },
    });
    for (const openid of ['oShanghai', 'oBeijing', 'oOptedOut']) {
      await record(app, openid, [{ key: 'back', type: 'form_submit', at: now, tags: { remove: ['vip/paused'] } }]);
    }
    await deliver();
    // Outside the customer-service window: a mass message reaches the one in Shanghai (with the operator's copy).
    expect(
      fake.massSends.map((send) =>
        send.touser.filter(
          (openid) => openid.startsWith('oS') || openid.startsWith('oB') || openid.startsWith('oOpted'),
        ),
      ),
    ).toEqual([['oShanghai']]);
    expect((await pushEventsOf(app, 'oBeijing')).filter((event) => event.properties.pushId === id)).toEqual([]);
    expect((await pushEventsOf(app, 'oOptedOut')).map((event) => [event.type, event.properties.reason])).toEqual([
      ['push_skipped', 'opted_out'],
    ]);
    const shown = (await (await app.request(`/api/pushes/${id}`)).json()) as {
      status: string;
      report: { byStatus: Record<string, number> };
    };
    expect(shown).toMatchObject({ status: 'active', report: { byStatus: { sent: 1, skipped: 1 } } });
  });

  it('refuses an automation with a send time, and a push without an audience or trigger', async () => {
    const content = { message: { type: 'text', text: 'x' } };
    expect(
      (
        await app.request('/api/pushes', {
          method: 'POST',
          json: { trigger: { on: 'tag_added', tag: 'a' }, sendAt: '2026-12-01T00:00:00Z', content },
        })
      ).status,
    ).toBe(400);
    expect((await app.request('/api/pushes', { method: 'POST', json: { content } })).status).toBe(400);
    expect(
      (await app.request('/api/pushes', { method: 'POST', json: { trigger: { on: 'tag_moved', tag: 'a' }, content } }))
        .status,
    ).toBe(400);
  });

  it('does not reach a person twice when the follower it reached is merged into a profile that then meets the trigger', async () => {
    const email = { type: 'email' as const, scope: '', value: 'twice@example.com' };
    const unionid = { type: 'unionid' as const, scope: '', value: 'uTwice' };
    await app.persona.accept('test', [
      {
        key: 'lead',
        type: 'lead_created',
        channel: 'crm',
        occurredAt: new Date(now.getTime() - 20 * day),
        identities: [email],
        properties: {},
      },
    ]);
    await app.persona.worker.drain();
    const id = await automation({
      name: 'promo',
      trigger: { on: 'tag_added', tag: 'promo/winter' },
      content: { message: { type: 'text', text: '冬季特惠' } },
    });
    await app.persona.accept('test', [
      {
        key: 'follow',
        type: 'subscribe',
        channel: 'wechat',
        occurredAt: now,
        identities: [{ type: 'openid', scope: 'default', value: 'oTwice' }, unionid],
        properties: { account: 'default' },
        tags: { add: ['promo/winter'] },
      },
    ]);
    await app.persona.worker.drain();
    await deliver();
    expect(textsTo('oTwice')).toEqual(['冬季特惠']);
    // The follower turns out to be the lead: merged into the older profile, which then gains the tag anew.
    await app.persona.accept('test', [
      {
        key: 'link',
        type: 'form_submit',
        channel: 'website',
        occurredAt: now,
        identities: [unionid, email],
        properties: {},
        tags: { remove: ['promo/winter'] },
      },
    ]);
    await app.persona.accept('test', [
      {
        key: 'again',
        type: 'form_submit',
        channel: 'website',
        occurredAt: now,
        identities: [email],
        properties: {},
        tags: { add: ['promo/winter'] },
      },
    ]);
    await app.persona.worker.drain();
    await deliver();
    expect(textsTo('oTwice')).toEqual(['冬季特惠']);
    const shown = (await (await app.request(`/api/pushes/${id}`)).json()) as {
      report: { byStatus: Record<string, number>; skipped: Record<string, number> };
    };
    expect(shown.report).toMatchObject({ byStatus: { sent: 1, skipped: 1 }, skipped: { already_received: 1 } });
  });
});

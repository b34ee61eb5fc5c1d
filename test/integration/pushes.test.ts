import { FakeWechatApi } from '../support/fake-wechat-api';
import {
  operatorOpenid,
  profileOf,
  pushEventsOf,
  pushSettings,
  record,
  wechatApiPlugin,
} from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { sampleAccount, signedPost, wechatXml } from '../support/wechat-client';

const hour = 3_600_000;
const day = 24 * hour;

interface PushBody {
  id: number;
  status: string;
  recipients: number | null;
  plan: {
    audience: number;
    channels: Record<string, number>;
    deferred: Record<string, number>;
    skipped: Record<string, number>;
    sample: { decision: string }[];
  };
  report?: {
    recipients: number;
    byStatus: Record<string, number>;
    byChannel: Record<string, { sent: number; failed: number; pending: number }>;
    skipped: Record<string, number>;
    deferred: Record<string, number>;
    failed: Record<string, number>;
  };
}

describe('pushes: plan, policy and delivery', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  // Noon in Shanghai (the account's zone): outside the 22:00–08:00 quiet hours, except for a follower in New York.
  let now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    now = new Date('2026-11-25T04:00:00Z');
    fake = await FakeWechatApi.start();
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: pushSettings({ perDay: 1, perWeek: 2 }),
      },
      undefined,
      { clock: () => now },
    );
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const plan = async (body: Record<string, unknown>) => {
    const response = await app.request('/api/pushes', { method: 'POST', json: body });
    expect(response.status).toBe(201);
    return (await response.json()) as PushBody;
  };
  const confirm = async (id: number) => {
    const response = await app.request(`/api/pushes/${id}/confirm`, { method: 'POST' });
    expect(response.status).toBe(200);
    return (await response.json()) as PushBody;
  };
  const show = async (id: number) => (await (await app.request(`/api/pushes/${id}`)).json()) as PushBody;
  const deliver = () => app.persona.pushWorker.drain();
  const follow = (follower: string, at: Date, tags: string[] = ['campaign/winter']) =>
    record(app, follower, [{ key: 'follow', type: 'subscribe', at, tags: { add: tags } }]);

  it('plans and delivers a push to ten followers in mixed states exactly as the policy says', async () => {
    const longAgo = new Date(now.getTime() - 10 * day);
    for (const follower of [
      'oGone',
      'oOptedOut',
      'oCapped',
      'oChat1',
      'oChat2',
      'oNewYork',
      'oMass1',
      'oMass2',
      'oMass3',
      'oMass4',
    ]) {
      await follow(follower, longAgo);
    }
    await record(app, 'oGone', [{ key: 'unfollow', type: 'unsubscribe', at: new Date(now.getTime() - 5 * day) }]);
    await record(app, 'oOptedOut', [
      {
        key: 'no',
        type: 'message',
        at: new Date(now.getTime() - 5 * day),
        properties: { subtype: 'text', content: 'TD' },
        tags: { add: ['manual/do-not-contact'] },
      },
    ]);
    await record(app, 'oNewYork', [
      { key: 'tz', type: 'form_submit', at: longAgo, attributes: { timezone: 'America/New_York' } },
    ]);
    await record(app, 'oChat1', [
      {
        key: 'hi',
        type: 'message',
        at: new Date(now.getTime() - hour),
        properties: { subtype: 'text', content: '有优惠吗' },
        attributes: { name: '李雷' },
      },
    ]);
    await record(app, 'oChat2', [
      {
        key: 'hi',
        type: 'message',
        at: new Date(now.getTime() - 47 * hour),
        properties: { subtype: 'text', content: '在吗' },
      },
    ]);

    // The capped follower got two pushes this week (weekly cap 2), each in a window they had opened.
    const capped = `tag:capped-test`;
    await record(app, 'oCapped', [{ key: 'tag', type: 'form_submit', at: longAgo, tags: { add: ['capped-test'] } }]);
    const realNow = now;
    for (const daysAgo of [3, 2]) {
      now = new Date(realNow.getTime() - daysAgo * day);
      await record(app, 'oCapped', [
        {
          key: `m${daysAgo}`,
          type: 'message',
          at: new Date(now.getTime() - hour),
          properties: { subtype: 'text', content: '你好' },
        },
      ]);
      const earlier = await plan({
        expression: capped,
        content: { message: { type: 'text', text: `early ${daysAgo}` } },
      });
      expect(earlier.plan.channels.customer_service).toBe(1);
      await confirm(earlier.id);
      await deliver();
      expect((await show(earlier.id)).status).toBe('done');
    }
    now = realNow;
    expect(fake.customMessages.map((message) => message.touser)).toEqual(['oCapped', 'oCapped']);

    const content = {
      message: { type: 'text', text: '{{name|亲爱的粉丝}}，冬季新品上市！' },
    };
    const planned = await plan({ name: 'Winter launch', expression: 'tag:campaign/winter', content });
    expect(planned.status).toBe('planned');
    expect(planned.plan).toMatchObject({
      audience: 10,
      channels: { customer_service: 2, mass: 4, template: 0 },
      deferred: { quiet_hours: 1 },
      skipped: { not_following: 1, opted_out: 1, frequency_cap: 1 },
    });
    expect(planned.plan.sample).toHaveLength(10);
    // Nothing goes out before confirmation.
    await deliver();
    expect(fake.customMessages).toHaveLength(2);
    expect(fake.massSends).toHaveLength(0);

    const confirmed = await confirm(planned.id);
    expect(confirmed).toMatchObject({ status: 'sending', recipients: 10 });
    await deliver();

    expect(
      fake.customMessages
        .slice(2)
        .map((message) => [message.touser, (message.body as { text: { content: string } }).text.content])
        .sort(),
    ).toEqual([
      ['oChat1', '李雷，冬季新品上市！'],
      ['oChat2', '亲爱的粉丝，冬季新品上市！'],
    ]);
    expect(fake.massSends).toHaveLength(1);
    expect(fake.massSends[0].touser.sort()).toEqual(['oMass1', 'oMass2', 'oMass3', 'oMass4']);
    expect((fake.massSends[0].body as { text: { content: string } }).text.content).toBe('亲爱的粉丝，冬季新品上市！');

    let shown = await show(planned.id);
    expect(shown.status).toBe('sending');
    expect(shown.report).toMatchObject({
      recipients: 10,
      byStatus: { sent: 6, skipped: 3, deferred: 1 },
      byChannel: { customer_service: { sent: 2, failed: 0, pending: 0 }, mass: { sent: 4, failed: 0, pending: 0 } },
      skipped: { not_following: 1, opted_out: 1, frequency_cap: 1 },
      deferred: { quiet_hours: 1 },
    });

    // Quiet hours in New York end at 08:00 there (13:00 UTC): the deferred follower is checked again and sent.
    now = new Date('2026-11-25T12:59:00Z');
    expect(await deliver()).toBe(0);
    now = new Date('2026-11-25T13:00:00Z');
    await deliver();
    expect(fake.massSends).toHaveLength(2);
    expect(fake.massSends[1].touser.sort()).toEqual(['oNewYork', operatorOpenid].sort());
    shown = await show(planned.id);
    expect(shown.status).toBe('done');
    expect(shown.report?.byStatus).toEqual({ sent: 7, skipped: 3 });

    const eventsOf = async (follower: string) =>
      (await pushEventsOf(app, follower))
        .filter((event) => event.properties.pushId === planned.id)
        .map((event) => [event.type, event.properties.via ?? event.properties.reason]);
    expect(await eventsOf('oGone')).toEqual([['push_skipped', 'not_following']]);
    expect(await eventsOf('oOptedOut')).toEqual([['push_skipped', 'opted_out']]);
    expect(await eventsOf('oCapped')).toEqual([['push_skipped', 'frequency_cap']]);
    expect(await eventsOf('oChat1')).toEqual([['push_sent', 'customer_service']]);
    expect(await eventsOf('oChat2')).toEqual([['push_sent', 'customer_service']]);
    expect(await eventsOf('oNewYork')).toEqual([['push_sent', 'mass']]);
    for (const follower of ['oMass1', 'oMass2', 'oMass3', 'oMass4'])
      expect(await eventsOf(follower)).toEqual([['push_sent', 'mass']]);
  });

  it('validates a push and refuses to confirm twice or to confirm a cancelled push', async () => {
    const bad = await app.request('/api/pushes', {
      method: 'POST',
      json: { expression: 'tag:x', content: { message: { type: 'video' } } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/content\.message/);
    const both = await app.request('/api/pushes', {
      method: 'POST',
      json: { segment: 'vip', expression: 'tag:x', content: { message: { type: 'text', text: 'hi' } } },
    });
    expect(both.status).toBe(400);
    const noSegment = await app.request('/api/pushes', {
      method: 'POST',
      json: { segment: 'nope', content: { message: { type: 'text', text: 'hi' } } },
    });
    expect(noSegment.status).toBe(404);
    const syntax = await app.request('/api/pushes', {
      method: 'POST',
      json: { expression: 'tag:', content: { message: { type: 'text', text: 'hi' } } },
    });
    expect(syntax.status).toBe(400);
    // An account no plugin provides is refused when planned, naming the accounts there are; nothing is stored.
    const elsewhere = await app.request('/api/pushes', {
      method: 'POST',
      json: { account: 'brand-x', expression: 'tag:x', content: { message: { type: 'text', text: 'hi' } } },
    });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as { error: { message: string; details: unknown } }).error).toEqual({
      code: 'validation_failed',
      message: 'account: no account "brand-x" sends pushes; known: default',
      details: { known: ['default'] },
    });
    expect(((await (await app.request('/api/pushes')).json()) as { pushes: PushBody[] }).pushes).toEqual([]);

    await follow('oOne', new Date(now.getTime() - day));
    const planned = await plan({
      expression: 'tag:campaign/winter',
      content: { message: { type: 'text', text: 'hi' } },
    });
    await confirm(planned.id);
    const again = await app.request(`/api/pushes/${planned.id}/confirm`, { method: 'POST' });
    expect(again.status).toBe(409);
    const cancelled = await app.request(`/api/pushes/${planned.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as PushBody).report?.byStatus).toEqual({ cancelled: 1 });
    await deliver();
    expect(fake.massSends).toHaveLength(0);
    expect((await app.request(`/api/pushes/${planned.id}/cancel`, { method: 'POST' })).status).toBe(409);
    expect((await app.request('/api/pushes/999999')).status).toBe(404);
    expect((await app.request('/api/pushes/abc')).status).toBe(400);
    const listed = (await (await app.request('/api/pushes?status=cancelled')).json()) as { pushes: PushBody[] };
    expect(listed.pushes.map((push) => push.id)).toEqual([planned.id]);
    expect(await profileOf(app, 'oOne')).toBeGreaterThan(0);
  });

  it('tracks links: a follower’s own link records a push_click on their timeline, a mass link only redirects', async () => {
    await app.stop();
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: { ...pushSettings(), publicUrl: 'https://persona.example.com/' },
      },
      undefined,
      { clock: () => now },
    );
    await follow('oReader', new Date(now.getTime() - 10 * day));
    await follow('oLurker1', new Date(now.getTime() - 10 * day));
    await follow('oLurker2', new Date(now.getTime() - 10 * day));
    await record(app, 'oReader', [
      {
        key: 'hi',
        type: 'message',
        at: new Date(now.getTime() - hour),
        properties: { subtype: 'text', content: 'hi' },
      },
    ]);
    const content = {
      message: { type: 'text', text: '新品：https://brand.cn/winter?utm=push 详情（https://brand.cn/faq）' },
      trackLinks: true,
    };
    const planned = await plan({ expression: 'tag:campaign/winter', content });
    await confirm(planned.id);
    await deliver();

    const personal = (fake.customMessages[0].body as { text: { content: string } }).text.content;
    const shared = (fake.massSends[0].body as { text: { content: string } }).text.content;
    const tokens = (text: string) =>
      [...text.matchAll(/https:\/\/persona\.example\.com\/r\/([^\s）]+)/g)].map((match) => match[1]);
    expect(personal).toMatch(
      /^新品：https:\/\/persona\.example\.com\/r\/\S+ 详情（https:\/\/persona\.example\.com\/r\/[^）]+）$/,
    );
    expect(tokens(personal)).toHaveLength(2);
    expect(tokens(shared)).toHaveLength(2);
    expect(tokens(shared)).not.toEqual(tokens(personal));

    const follow_ = (token: string) => app.request(`/r/${token}`, { auth: null, redirect: 'manual' });
    const first = await follow_(tokens(personal)[0]);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('https://brand.cn/winter?utm=push');
    expect((await follow_(tokens(personal)[1])).headers.get('location')).toBe('https://brand.cn/faq');
    expect((await follow_(tokens(shared)[0])).headers.get('location')).toBe('https://brand.cn/winter?utm=push');
    // A token altered by a single character is refused.
    const forged = tokens(personal)[0].replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    expect((await follow_(forged)).status).toBe(404);
    await app.persona.worker.drain();
    const clicks = (await pushEventsOf(app, 'oReader')).filter((event) => event.type === 'push_click');
    expect(clicks.map((event) => [event.properties.pushId, event.properties.url])).toEqual([
      [planned.id, 'https://brand.cn/winter?utm=push'],
      [planned.id, 'https://brand.cn/faq'],
    ]);
    expect((await pushEventsOf(app, 'oLurker1')).map((event) => event.type)).toEqual(['push_sent']);

    // Without a public URL, tracking is refused at planning.
    await app.stop();
    app = await startTestApp(
      { plugins: { 'wechat-official-account': wechatApiPlugin(fake) }, pushes: pushSettings() },
      undefined,
      { clock: () => now },
    );
    const refused = await app.request('/api/pushes', { method: 'POST', json: { expression: 'tag:x', content } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/publicUrl/);
  });

  it('previews to an operator before confirming, and reconciles the mass send with WeChat’s MASSSENDJOBFINISH', async () => {
    await follow('oA', new Date(now.getTime() - 10 * day));
    await follow('oB', new Date(now.getTime() - 10 * day));
    const planned = await plan({
      expression: 'tag:campaign/winter',
      content: { message: { type: 'text', text: '{{name|亲}}，早鸟价' } },
    });
    const preview = await app.request(`/api/pushes/${planned.id}/preview`, {
      method: 'POST',
      json: { openid: 'oOperatorPhone' },
    });
    expect(preview.status).toBe(200);
    expect(
      fake.previews.map((sent) => [sent.touser, (sent.body as { text: { content: string } }).text.content]),
    ).toEqual([['oOperatorPhone', '亲，早鸟价']]);
    expect(
      (await app.request(`/api/pushes/${planned.id}/preview`, { method: 'POST', json: { openid: 'a', wechatId: 'b' } }))
        .status,
    ).toBe(400);
    fake.failOpenid('oNotFollowing', 43004);
    const refused = await app.request(`/api/pushes/${planned.id}/preview`, {
      method: 'POST',
      json: { openid: 'oNotFollowing' },
    });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/43004/);

    await confirm(planned.id);
    await deliver();
    const [send] = fake.massSends;
    const report = wechatXml({
      ToUserName: 'gh_test',
      FromUserName: 'oSystem',
      CreateTime: 1_795_000_500,
      MsgType: 'event',
      Event: 'MASSSENDJOBFINISH',
      MsgID: String(send.msgId),
      Status: 'send success',
      TotalCount: 2,
      FilterCount: 2,
      SentCount: 2,
      ErrorCount: 0,
    });
    const request = signedPost(sampleAccount, report);
    expect(
      (
        await fetch(`${app.url}/wechat?${request.query}`, {
          method: 'POST',
          body: request.body,
          headers: { 'content-type': 'text/xml' },
        })
      ).status,
    ).toBe(200);
    const shown = (await (await app.request(`/api/pushes/${planned.id}`)).json()) as {
      report: { reported: { mass: Record<string, number> } };
    };
    expect(shown.report.reported.mass).toEqual({
      batches: 1,
      reported: 1,
      totalCount: 2,
      sentCount: 2,
      errorCount: 0,
      filterCount: 2,
    });
  });

  it('follows a merge made after confirmation: the survivor gets the push once, through the openid that moved to it', async () => {
    const email = { type: 'email' as const, scope: '', value: 'merged@example.com' };
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
    const unionid = { type: 'unionid' as const, scope: '', value: 'uMerged' };
    await app.persona.accept('test', [
      {
        key: 'follow-merged',
        type: 'subscribe',
        channel: 'wechat',
        occurredAt: new Date(now.getTime() - 10 * day),
        identities: [{ type: 'openid', scope: 'default', value: 'oMerged' }, unionid],
        properties: { account: 'default' },
        tags: { add: ['campaign/winter'] },
      },
    ]);
    await app.persona.worker.drain();
    await follow('oOther', new Date(now.getTime() - 10 * day));
    const absorbed = await profileOf(app, 'oMerged');
    const planned = await plan({
      expression: 'tag:campaign/winter',
      content: { message: { type: 'text', text: '合并后' } },
    });
    await confirm(planned.id);
    // The follower turns out to be the lead (one event names both): the newer profile merges into the older one.
    await app.persona.accept('test', [
      {
        key: 'link',
        type: 'form_submit',
        channel: 'website',
        occurredAt: now,
        identities: [unionid, email],
        properties: {},
      },
    ]);
    await app.persona.worker.drain();
    const survivor = await profileOf(app, 'oMerged');
    expect(survivor).not.toBe(absorbed);
    await deliver();
    expect(fake.massSends.flatMap((send) => send.touser).sort()).toEqual(['oMerged', 'oOther']);
    expect((await pushEventsOf(app, 'oMerged')).map((event) => [event.type, event.properties.via])).toEqual([
      ['push_sent', 'mass'],
    ]);
    expect((await show(planned.id)).report?.byStatus).toEqual({ sent: 2 });
  });
});

describe('pushes: the account’s time zone', () => {
  it('places quiet hours and the monthly mass quota in the account’s zone when the follower’s own is unknown', async () => {
    // The account is in Los Angeles; the global zone is Shanghai's.
    let now = new Date('2026-11-01T03:00:00Z');
    const fake = await FakeWechatApi.start();
    const plugin = wechatApiPlugin(fake);
    const [account] = plugin.accounts as Record<string, unknown>[];
    const app = await startTestApp(
      {
        plugins: {
          'wechat-official-account': { ...plugin, accounts: [{ ...account, timezone: 'America/Los_Angeles' }] },
        },
        pushes: pushSettings({ perDay: 10, perWeek: 10 }),
      },
      undefined,
      { clock: () => now },
    );
    try {
      for (const follower of ['oLocal', 'oTraveller']) {
        await record(app, follower, [
          { key: 'follow', type: 'subscribe', at: new Date('2026-10-20T12:00:00Z'), tags: { add: ['campaign/tz'] } },
        ]);
      }
      await record(app, 'oTraveller', [
        {
          key: 'tz',
          type: 'form_submit',
          at: new Date('2026-10-20T12:00:00Z'),
          attributes: { timezone: 'Asia/Shanghai' },
        },
      ]);
      const push = async (text: string) => {
        const response = await app.request('/api/pushes', {
          method: 'POST',
          json: { expression: 'tag:campaign/tz', content: { message: { type: 'text', text } } },
        });
        const planned = (await response.json()) as PushBody;
        expect((await app.request(`/api/pushes/${planned.id}/confirm`, { method: 'POST' })).status).toBe(200);
        await app.persona.pushWorker.drain();
        return planned;
      };
      // Four mass sends at 11:00 on 1 November in Shanghai, 20:00 on 31 October in Los Angeles: the month's quota
      // (4) in Shanghai, October's in the account's zone.
      for (const text of ['一', '二', '三', '四']) await push(text);
      expect(fake.massSends).toHaveLength(4);

      // 00:30 in Los Angeles, 16:30 in Shanghai.
      now = new Date('2026-11-25T08:30:00Z');
      const planned = await push('早安');
      expect(planned.plan).toMatchObject({
        audience: 2,
        channels: { mass: 1 },
        deferred: { quiet_hours: 1 },
        skipped: {},
      });
      expect(fake.massSends.slice(4).map((send) => send.touser.sort())).toEqual([
        ['oTraveller', operatorOpenid].sort(),
      ]);

      // Quiet hours end at 08:00 in Los Angeles (16:00 UTC).
      now = new Date('2026-11-25T15:59:00Z');
      expect(await app.persona.pushWorker.drain()).toBe(0);
      now = new Date('2026-11-25T16:00:00Z');
      await app.persona.pushWorker.drain();
      expect(fake.massSends.slice(5).map((send) => send.touser.sort())).toEqual([['oLocal', operatorOpenid].sort()]);
    } finally {
      await app.stop();
      await fake.close();
    }
  });
});

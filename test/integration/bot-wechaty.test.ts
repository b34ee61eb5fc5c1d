import { botOperators } from '../support/bot-fixtures';
import { botStatus, ChatMock, answerTo } from '../support/chat-mock';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushEventsOf, pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

const day = 24 * 3_600_000;

describe('the operator bot over WeChat (wechaty-puppet-mock)', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  let chat: ChatMock;
  const now = new Date('2026-11-25T04:00:00Z');

  const start = async (reachable = true, bot: Record<string, unknown> = {}) => {
    chat = new ChatMock(reachable);
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: pushSettings(),
        rules: { ...defaultRules, scoring: [] },
        bot: {
          operators: [...botOperators, { contact: '运营-小李', role: 'operator' }],
          wechaty: { reconnectBaseMs: 100 },
          ...bot,
        },
      },
      undefined,
      { clock: () => now, botPuppet: chat.puppet },
    );
    for (const [openid, city, tags] of [
      ['oLoyal1', 'Shanghai', ['loyal']],
      ['oLoyal2', 'Shanghai', ['loyal']],
      ['oBeijing', 'Beijing', ['loyal']],
      ['oOther', 'Shanghai', []],
    ] as const) {
      await record(app, openid, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(now.getTime() - 3 * day),
          attributes: { city },
          tags: { add: [...tags] },
        },
      ]);
    }
  };

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it('answers operators’ counts in English and Chinese, refuses a viewer’s push, and gives strangers no data', async () => {
    await start();
    await botStatus(app.persona, (status) => status.state === 'offline');
    chat.login();
    expect((await botStatus(app.persona, (status) => status.state === 'online')).user).toBe('Persona');
    const operator = chat.contact('wxid_operator', 'Olivia');
    const admin = chat.contact('wxid_admin', '王经理');
    const viewer = chat.contact('wxid_viewer', 'Victor');
    // Known by the alias the bot's account gave them.
    const aliased = chat.contact('wxid_x9', '小李', '运营-小李');
    const stranger = chat.contact('wxid_stranger', 'Somebody');

    expect(await chat.ask(operator, '/segment count tag:loyal AND city:Shanghai')).toEqual([
      'tag:loyal AND city:Shanghai → 2 people',
    ]);
    expect(await chat.ask(admin, '/人群 count 标签:忠实用户 且 城市:Shanghai')).toEqual([
      'tag:loyal AND city:Shanghai → 2 人',
    ]);
    expect(await chat.ask(aliased, '/人群 count 标签:忠实用户')).toEqual(['tag:loyal → 3 人']);
    expect(await chat.ask(viewer, '/push tag:loyal Hello')).toEqual([
      '/push needs the operator role. Ask an admin if you need it.',
    ]);

    const refusal = await chat.ask(stranger, '/segment count tag:loyal');
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).not.toMatch(/\d/);
    // The same day, nothing at all.
    const silence = answerTo(app.persona, 'wxid_stranger', '/stats');
    stranger.say('/stats').to(chat.account);
    expect(await silence).toEqual([]);
  });

  it('runs the whole push flow by chat: plan, a wrong code refused, confirm, status, and the sends on the timelines', async () => {
    await start();
    await botStatus(app.persona, (status) => status.state === 'offline');
    chat.login();
    await botStatus(app.persona, (status) => status.state === 'online');
    const operator = chat.contact('wxid_operator', 'Olivia');

    const [plan] = await chat.ask(operator, '/push "tag:loyal AND city:Shanghai" name:Winter 冬季新品上市！');
    expect(plan).toContain('Audience: tag:loyal AND city:Shanghai → 2 people');
    expect(plan).toContain('Would send: mass 2');
    const code = /\/confirm (\d{6})/.exec(plan)?.[1] as string;
    expect(await chat.ask(operator, `/confirm ${code === '123456' ? '654321' : '123456'}`)).toEqual([
      'That code is not right. Check the code in the plan and try again.',
    ]);
    expect(fake.massSends).toHaveLength(0);
    const [confirmed] = await chat.ask(operator, `/confirm ${code}`);
    const pushId = Number(/push #(\d+)/.exec(confirmed)?.[1]);
    expect(confirmed).toBe(
      `Confirmed: push #${pushId} is going out; 2 people should receive it. /status ${pushId} shows progress.`,
    );

    await app.persona.pushWorker.drain();
    expect(fake.massSends.map((send) => send.touser.sort())).toEqual([['oLoyal1', 'oLoyal2']]);
    // Where it stands, with its funnel as a picture after the text.
    const [status, funnel] = await chat.ask(operator, `/status ${pushId}`, { count: 2 });
    expect(funnel).toBe('[image]');
    expect(status).toContain(`Push #${pushId} “Winter”: done`);
    expect(status).toContain('Recipients 2: sent 2');
    for (const follower of ['oLoyal1', 'oLoyal2'])
      expect((await pushEventsOf(app, follower)).map((event) => [event.type, event.properties.pushId])).toEqual([
        ['push_sent', pushId],
      ]);
    expect(await pushEventsOf(app, 'oOther')).toEqual([]);

    // A channel's QR code comes as a picture, after its text.
    const [text, picture] = await chat.ask(operator, '/qrcode store-0217', { count: 2 });
    expect(text).toMatch(/^QR code for scene store-0217: https:\/\/mp\.weixin\.qq\.com\/cgi-bin\/showqrcode\?ticket=/);
    expect(picture).toBe('[image]');
  });

  it('answers in a group only when mentioned and enabled, and never runs admin commands there', async () => {
    await start(true, { groups: { enabled: true } });
    await botStatus(app.persona, (status) => status.state === 'offline');
    chat.login();
    await botStatus(app.persona, (status) => status.state === 'online');
    const admin = chat.contact('wxid_admin', '王经理');
    const room = chat.room('运营群', [admin]);
    const unmentioned = answerTo(app.persona, 'wxid_admin', '/人群 list');
    admin.say('/人群 list').to(room);
    expect(await unmentioned).toEqual([]);
    // The answer mentions the asker.
    expect(await chat.ask(admin, '/人群 count tag:loyal', { room })).toEqual(['@王经理 tag:loyal → 3 人']);
    expect(await chat.ask(admin, '/人群 delete vip', { room })).toEqual([
      '@王经理 /segment delete 是管理员命令，请在与我的私聊中使用，不要在群里。',
    ]);
  });

  it('keeps the server working while WeChat can’t be reached or drops, and reconnects', async () => {
    await start(false);
    // Failed starts, retried with backoff, while the rest of Persona works.
    const failing = await botStatus(app.persona, (status) => status.failures >= 2);
    expect(failing).toMatchObject({ state: 'reconnecting', lastError: 'the puppet service can’t be reached' });
    // Meanwhile events come in and a push goes out as ever.
    const posted = await app.request('/api/events', {
      method: 'POST',
      json: { id: 'while-down', type: 'page_view', channel: 'website', identities: { openid: 'oLoyal1' } },
    });
    expect(posted.status).toBe(202);
    expect(await app.persona.worker.drain()).toBe(1);
    const planned = (await (
      await app.request('/api/pushes', {
        method: 'POST',
        json: { expression: 'tag:loyal AND city:Shanghai', content: { message: { type: 'text', text: '照常发送' } } },
      })
    ).json()) as { id: number };
    expect((await app.request(`/api/pushes/${planned.id}/confirm`, { method: 'POST' })).status).toBe(200);
    await app.persona.pushWorker.drain();
    expect(fake.massSends.map((send) => send.touser.sort())).toEqual([['oLoyal1', 'oLoyal2']]);
    const status = (await (await app.request('/api/bot/status')).json()) as {
      wechaty: { state: string; failures: number };
    };
    expect(status.wechaty.state).toMatch(/^(reconnecting|starting)$/);
    expect(status.wechaty.failures).toBeGreaterThanOrEqual(2);
    chat.reachable = true;
    await botStatus(app.persona, (status) => status.state === 'offline');
    chat.login();
    expect(await botStatus(app.persona, (status) => status.state === 'online')).toMatchObject({ failures: 0 });
    const operator = chat.contact('wxid_operator', 'Olivia');
    expect(await chat.ask(operator, '/segment count tag:loyal')).toEqual(['tag:loyal → 3 people']);

    // The connection drops (the puppet stops under it): the bot starts over and is back after a new login.
    await chat.mocker.puppet.stop();
    await botStatus(app.persona, (status) => status.state === 'reconnecting');
    // The mock may keep the session (as a real puppet's memory card does); else it needs a new login.
    if (
      (await botStatus(app.persona, (status) => status.state === 'offline' || status.state === 'online')).state ===
      'offline'
    )
      chat.login();
    await botStatus(app.persona, (status) => status.state === 'online');
    expect(await chat.ask(operator, '/segment count tag:loyal')).toEqual(['tag:loyal → 3 people']);
  });

  it('sends the morning digest to the operators who subscribed, in their language, once a day', async () => {
    await start();
    await botStatus(app.persona, (status) => status.state === 'offline');
    chat.login();
    await botStatus(app.persona, (status) => status.state === 'online');
    await record(app, 'oNew', [{ key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 3_600_000) }]);
    const admin = chat.contact('wxid_admin', '管理员');
    const operator = chat.contact('wxid_operator', 'Olivia');
    expect(await chat.ask(admin, '/订阅 日报')).toEqual(['已订阅：每天 09:00 发送日报。/退订 日报 可以取消。']);
    expect(await chat.ask(operator, '/subscribe daily')).toEqual([
      'Subscribed: the digest comes every day at 09:00. /unsubscribe daily stops it.',
    ]);
    // The next morning at 09:00 in Shanghai, through the scheduler as its cron tick would run it.
    const tick = new Date('2026-11-26T01:00:00Z');
    const [chinese, english] = [chat.receive(admin, 2), chat.receive(operator, 2)];
    expect(await app.persona.jobs.trigger('bot.daily-digest', tick)).toBe('succeeded');
    const [digest, chart] = await chinese;
    expect(digest).toContain('早上好！昨天（11-25）：');
    expect(digest).toContain('新关注 1 · 取消关注 0');
    expect(digest).toContain('生命周期变化：新用户 +');
    expect(chart).toBe('[image]');
    const [englishDigest, englishChart] = await english;
    expect(englishDigest).toContain('Good morning! Yesterday (11-25):');
    expect(englishChart).toBe('[image]');
    // Once per operator and day, whichever run (or instance) tries again.
    expect(await app.persona.bot.digest.sendAll(new Date('2026-11-26T02:00:00Z'))).toBe(0);
    expect(await chat.ask(admin, '/退订 日报')).toEqual(['已退订日报。']);
  });
});

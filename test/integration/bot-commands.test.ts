import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { profileOf, pushEventsOf, record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

const day = 24 * 3_600_000;

describe('the operator bot over HTTP', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  // Wednesday noon in Shanghai: outside quiet hours.
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, now, 30);
    // Five followers: three loyal in Shanghai (one with a phone), one loyal in Beijing, one new in Shanghai.
    const people: [string, string, string[]][] = [
      ['oLoyal1', 'Shanghai', ['loyal']],
      ['oLoyal2', 'Shanghai', ['loyal']],
      ['oLoyal3', 'Shanghai', ['loyal', 'interest/sports']],
      ['oBeijing', 'Beijing', ['loyal']],
      ['oNew', 'Shanghai', []],
    ];
    for (const [openid, city, tags] of people) {
      await record(app, openid, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(now.getTime() - 3 * day),
          attributes: { city },
          tags: { add: tags },
        },
      ]);
    }
    await app.persona.accept('test', [
      {
        key: 'phone',
        type: 'form_submit',
        channel: 'website',
        occurredAt: new Date(now.getTime() - day),
        identities: [
          { type: 'openid', scope: 'default', value: 'oLoyal1' },
          { type: 'phone', scope: '', value: '+8613812345678' },
        ],
        properties: {},
        attributes: { name: '李雷' },
      },
    ]);
    await app.persona.worker.drain();
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it('counts a segment in English and in Chinese (terms and tag labels) alike', async () => {
    const english = await command(app, 'wxid_operator', '/segment count tag:loyal AND city:Shanghai');
    expect(english).toMatchObject({ status: 200, outcome: 'ok', replies: ['tag:loyal AND city:Shanghai → 3 people'] });
    const chinese = await command(app, 'wxid_admin', '/人群 count 标签:忠实用户 且 城市:Shanghai');
    expect(chinese.replies).toEqual(['tag:loyal AND city:Shanghai → 3 人']);
    // Without the slash, with the subcommand's alias, and a likely typo flagged.
    expect((await command(app, 'wxid_viewer', 'segment 计数 tag:loyl')).replies[0]).toMatch(
      /^tag:loyl → 0 people\n⚠ .*loyal/,
    );
    const syntax = await command(app, 'wxid_viewer', '/segment count tag:loyal AND');
    expect(syntax).toMatchObject({ outcome: 'failed' });
    expect(syntax.replies[0]).toMatch(/^That didn’t work: column 14: expected a condition after this/);
  });

  it('tells an operator who reads Chinese of bad expressions and likely typos in Chinese', async () => {
    expect((await command(app, 'wxid_admin', '/人群 count 标签:忠实用户 且')).replies).toEqual([
      '没有成功：第 10 个字符处：后面还应有一个条件，例如 标签:忠实用户',
    ]);
    expect((await command(app, 'wxid_admin', '/人群 count city > Shanghai')).replies).toEqual([
      '没有成功：city 用 > 比较时需要数字，而不是 "Shanghai"',
    ]);
    expect((await command(app, 'wxid_admin', '/人群 count tag:loyl')).replies).toEqual([
      'tag:loyl → 0 人\n⚠ 还没有人带有标签 loyl，您是不是想写 loyal？',
    ]);
    expect((await command(app, 'wxid_admin', '/人群 show nosuch')).replies).toEqual([
      '没有成功：没有名为 nosuch 的人群',
    ]);
  });

  it('shows each role only what it may run, refuses the rest, and turns strangers away', async () => {
    const viewerHelp = (await command(app, 'wxid_viewer', '/help')).replies.join('\n');
    expect(viewerHelp).toContain('/segment');
    expect(viewerHelp).not.toMatch(/\/(push|confirm|cancel|tag) /);
    expect((await command(app, 'wxid_viewer', '/help segment')).replies[0]).not.toContain('/segment save');
    expect((await command(app, 'wxid_admin', '/帮助')).replies.join('\n')).toMatch(/\/push · \/推送/);

    const refused = await command(app, 'wxid_viewer', '/push tag:loyal Hello');
    expect(refused).toMatchObject({
      outcome: 'refused',
      replies: ['/push needs the operator role. Ask an admin if you need it.'],
    });
    expect((await command(app, 'wxid_operator', '/segment delete x')).outcome).toBe('refused');

    const stranger = await command(app, 'wxid_stranger', '/segment count tag:loyal');
    expect(stranger).toMatchObject({ status: 403, replies: [] });
    const audit = (await (await app.request('/api/bot/audit?limit=10')).json()) as {
      entries: { sender: string; operator: string | null; command: string | null; outcome: string }[];
    };
    expect(audit.entries.slice(0, 3).map((entry) => [entry.sender, entry.command, entry.outcome])).toEqual([
      ['wxid_stranger', null, 'unknown_sender'],
      ['wxid_operator', 'segment delete', 'refused'],
      ['wxid_viewer', 'push', 'refused'],
    ]);
    expect((await command(app, 'wxid_viewer', '/segmnt count tag:loyal')).replies).toEqual([
      'I don’t know the command “segmnt”. Did you mean /segment? Type /help for the list.',
    ]);
  });

  it('plans a push by chat, refuses a wrong code, sends on the right one, and reports the status', async () => {
    const plan = await command(
      app,
      'wxid_operator',
      '/push "tag:loyal AND city:Shanghai" name:Winter Winter collection is here, {{name|friend}}!',
    );
    const text = plan.replies.join('\n');
    expect(text).toContain('Audience: tag:loyal AND city:Shanghai → 3 people');
    expect(text).toContain('Would send: mass 3');
    const code = /\/confirm (\d{6})/.exec(text)?.[1] as string;
    expect(fake.massSends).toHaveLength(0);

    const wrong = code === '000000' ? '111111' : '000000';
    expect((await command(app, 'wxid_operator', `/confirm ${wrong}`)).replies).toEqual([
      'That code is not right. Check the code in the plan and try again.',
    ]);
    // Another operator can't use it.
    expect((await command(app, 'wxid_admin', `/确认 ${code}`)).replies[0]).toMatch(/^您没有待确认的验证码/);
    const confirmed = await command(app, 'wxid_operator', `/confirm ${code}`);
    expect(confirmed.replies[0]).toMatch(/^Confirmed: push #(\d+) is going out; 3 people should receive it/);
    expect((await command(app, 'wxid_operator', `/confirm ${code}`)).replies[0]).toMatch(/^You have no code waiting/);

    await app.persona.pushWorker.drain();
    expect(fake.massSends.map((send) => send.touser.sort())).toEqual([['oLoyal1', 'oLoyal2', 'oLoyal3']]);
    const status = (await command(app, 'wxid_viewer', '/status')).replies.join('\n');
    expect(status).toContain('“Winter”: done');
    expect(status).toContain('Recipients 3: sent 3');
    for (const follower of ['oLoyal1', 'oLoyal2', 'oLoyal3'])
      expect((await pushEventsOf(app, follower)).map((event) => event.type)).toEqual(['push_sent']);
    expect(await pushEventsOf(app, 'oBeijing')).toEqual([]);
    expect((await command(app, 'wxid_viewer', '/pushes')).replies[0]).toMatch(/#\d+ Winter · done · 3/);
  });

  it('shows a follower’s card with masked contact details, and tags them', async () => {
    const card = (await command(app, 'wxid_operator', '/whois 138 1234 5678')).replies.join('\n');
    const id = await profileOf(app, 'oLoyal1');
    expect(card).toContain(`👤 李雷 (#${id})`);
    expect(card).toContain('phone +86138****5678');
    expect(card).not.toContain('13812345678');
    // Tags by their labels.
    expect(card).toMatch(/Value: loyal customer/);
    expect(card).toMatch(/Latest \d+ events:/);
    expect((await command(app, 'wxid_operator', `/tag add #${id} vip`)).replies).toEqual([`Tagged #${id} with vip.`]);
    expect((await command(app, 'wxid_operator', '/whois oLoyal1')).replies.join('\n')).toMatch(/Manual: vip/);
    expect((await command(app, 'wxid_operator', `/tag add #${id} lifecycle/new`)).outcome).toBe('failed');
    expect((await command(app, 'wxid_operator', '/whois nobody@example.com')).replies).toEqual([
      'That didn’t work: Nobody found for “nobody@example.com”. Look people up by name, phone ending (tail:8000), phone, email, openid or #id.',
    ]);
  });

  it('answers a message id once, and limits how fast one operator may go', async () => {
    expect((await command(app, 'wxid_viewer', '/stats', 'm-1')).replies[0]).toMatch(/^Followers: 5/);
    expect(await command(app, 'wxid_viewer', '/stats', 'm-1')).toMatchObject({
      status: 200,
      replies: [],
      outcome: 'ignored',
    });
    let limited = 0;
    for (let i = 0; i < 31; i += 1)
      if ((await command(app, 'wxid_viewer', '/pushes')).outcome === 'rate_limited') limited += 1;
    expect(limited).toBe(2);
    // Others are not held back.
    expect((await command(app, 'wxid_operator', '/pushes')).outcome).toBe('ok');
  });
});

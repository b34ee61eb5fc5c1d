import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Reproductions of issue 19 (the command grammar), through the bot's HTTP transport, for an English operator
 * (wxid_operator) and a Chinese one (wxid_admin): a quoted value never ends up with its quotes, nor splits.
 */
describe('the command grammar, as operators type it', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  // Wednesday noon in Shanghai: outside quiet hours.
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, now, 60);
    for (const [openid, city] of [
      ['oLoyal1', 'Shanghai'],
      ['oLoyal2', 'Shanghai'],
      ['oBeijing', 'Beijing'],
    ]) {
      await record(app, openid, [
        { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 86_400_000), attributes: { city } },
      ]);
    }
    await app.persona.worker.drain();
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  async function pushNamed(id: number): Promise<{ name: string; content: { message: { text?: string } } }> {
    const response = await app.request(`/api/pushes/${id}`);
    return (await response.json()) as { name: string; content: { message: { text?: string } } };
  }

  async function latestPushId(): Promise<number> {
    const [row] = await app.persona.db.select<{ id: number }>('SELECT id FROM pushes ORDER BY id DESC LIMIT 1');
    return Number(row.id);
  }

  it.each([
    [
      'wxid_operator',
      '/segment save sh-fans city:Shanghai',
      '/push sh-fans name:"VIP night" Dear {{name|friend}}, join…',
    ],
    ['wxid_admin', '/人群 save sh-fans city:Shanghai', '/推送 sh-fans 名称:“会员 之夜” 亲爱的{{name|朋友}}，欢迎光临…'],
  ])('a quoted push name is the name, and the content is the rest as typed (%s)', async (operator, save, push) => {
    expect((await command(app, operator, save)).status).toBe(200);
    const plan = await command(app, operator, push);
    expect(plan.status).toBe(200);
    const stored = await pushNamed(await latestPushId());
    if (operator === 'wxid_operator') {
      expect(stored.name).toBe('VIP night');
      expect(stored.content.message.text).toBe('Dear {{name|friend}}, join…');
    } else {
      expect(stored.name).toBe('会员 之夜');
      expect(stored.content.message.text).toBe('亲爱的{{name|朋友}}，欢迎光临…');
    }
  });

  it.each([
    ['wxid_operator', '/tag add #ID "summer sale 2026"', 'summer sale 2026', '/segment count tag:"summer sale 2026"'],
    ['wxid_admin', '/打标签 加 #ID “双十一 会员”', '双十一 会员', '/人群 count 标签:"双十一 会员"'],
  ])('a quoted tag is stored without its quotes, and counts (%s)', async (operator, tag, stored, count) => {
    const [{ id }] = await app.persona.db.select<{ id: number }>(
      "SELECT profile_id AS id FROM identities WHERE value = 'oLoyal1'",
    );
    const added = await command(app, operator, tag.replace('ID', String(id)));
    expect(added.status).toBe(200);
    const tags = await app.persona.db.select<{ name: string }>('SELECT name FROM tags WHERE profile_id = ?', [
      Number(id),
    ]);
    expect(tags.map((row) => row.name)).toContain(stored);
    const counted = (await command(app, operator, count)).replies.join('\n');
    // One person, in English too (it said “1 people”).
    expect(counted).toMatch(operator === 'wxid_operator' ? /→ 1 person$/m : /→ 1 人$/m);
  });

  it.each([
    [
      'wxid_admin',
      '/推送 "city:Shanghai" 时间:2026-12-04 10:00 运动季新品上架',
      '2026-12-04T02:00:00.000Z',
      '运动季新品上架',
      '发送时间：12月4日（周五）10:00。',
    ],
    [
      'wxid_admin',
      '/推送 "city:Shanghai" 时间:明天10点 明天见',
      '2026-11-26T02:00:00.000Z',
      '明天见',
      '11月26日（周四）10:00',
    ],
    [
      'wxid_operator',
      '/push "city:Shanghai" at:"tomorrow 10am" See you tomorrow',
      '2026-11-26T02:00:00.000Z',
      'See you tomorrow',
      'Goes out at Thu 26 Nov 10:00.',
    ],
  ])('a time is read in the account’s zone, and shown back local (%s: %s)', async (operator, push, at, text, shown) => {
    const plan = await command(app, operator, push);
    expect(plan.replies.join('\n')).toContain(shown);
    const stored = (await (await app.request(`/api/pushes/${await latestPushId()}`)).json()) as {
      sendAt: string;
      content: { message: { text: string } };
    };
    expect(stored.sendAt).toBe(at);
    expect(stored.content.message.text).toBe(text);
  });

  it.each([
    ['wxid_admin', '/推送 "city:Shanghai" 时间:2026-11-01 10:00 你好', '“2026-11-01 10:00”不是将来的时间'],
    ['wxid_admin', '/推送 "city:Shanghai" 时间:周五 你好', '“周五”没有写几点'],
    ['wxid_operator', '/push "city:Shanghai" at:soon hello', 'I can’t read “soon” as a time'],
  ])(
    'a time in the past, without a time of day or unreadable is refused with an example (%s)',
    async (operator, push, says) => {
      const refused = await command(app, operator, push);
      expect(refused.replies.join('\n')).toContain(says);
      expect(await app.persona.db.select('SELECT id FROM pushes')).toEqual([]);
    },
  );

  it.each([
    ['wxid_admin', '/推送 "city:Shanghai" 双十一会员日', '没有人会收到这条推送', '/确认'],
    ['wxid_operator', '/push "city:Shanghai" Member day', 'Nobody would receive it', '/confirm'],
  ])('a plan in which everyone is skipped offers no code and is cancelled (%s)', async (operator, push, says, code) => {
    for (const openid of ['oLoyal1', 'oLoyal2'])
      await record(app, openid, [
        { key: 'opt-out', type: 'form_submit', at: now, attributes: { marketingConsent: false } },
      ]);
    await app.persona.worker.drain();
    const plan = (await command(app, operator, push)).replies.join('\n');
    expect(plan).toContain(says);
    expect(plan).not.toContain(code);
    const stored = (await (await app.request(`/api/pushes/${await latestPushId()}`)).json()) as { status: string };
    expect(stored.status).toBe('cancelled');
  });

  it.each([
    [
      'wxid_admin',
      '/人群 save 上海会员 城市:上海',
      '/推送 上海会元 你好',
      '没有叫“上海会元”的人群。您是不是想用 上海会员？',
    ],
    [
      'wxid_operator',
      '/segment save sh-fans city:Shanghai',
      '/push sh-fan hello',
      'No saved segment is called “sh-fan”. Did you mean sh-fans?',
    ],
  ])('a push to a segment that isn’t saved says so, with the closest name (%s)', async (operator, save, push, says) => {
    await command(app, operator, save);
    expect((await command(app, operator, push)).replies.join('\n')).toContain(says);
    expect(await app.persona.db.select('SELECT id FROM pushes')).toEqual([]);
  });
});

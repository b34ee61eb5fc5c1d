import { botOperators, command } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';

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
    app = await startTestApp(
      {
        plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
        pushes: pushSettings(),
        rules: { ...defaultRules, scoring: [] },
        bot: { operators: botOperators, commandsPerMinute: 60 },
      },
      undefined,
      { clock: () => now },
    );
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
    // The count, whatever the noun after it (English plurals come with the catalogues' rework).
    expect(counted).toMatch(operator === 'wxid_operator' ? /→ 1 / : /→ 1 人/);
  });
});

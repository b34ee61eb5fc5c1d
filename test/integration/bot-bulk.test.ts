import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Reproductions of issue 19 (no bulk action, no way to change a saved segment, no reference for the expression
 * language), through the bot's HTTP transport, in Chinese (wxid_admin) and English (wxid_operator).
 */
describe('bulk tags, segment edits and the expression reference', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    // Above two people, a bulk tag waits for a code.
    app = await startBotApp(fake, now, 60, { bulkConfirmAbove: 2 });
    for (const [openid, city] of [
      ['oA', 'Shanghai'],
      ['oB', 'Shanghai'],
      ['oC', 'Shanghai'],
      ['oD', 'Beijing'],
    ])
      await record(app, openid, [
        { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 86_400_000), attributes: { city } },
        { key: 'buy', type: 'purchase', at: new Date(now.getTime() - 3_600_000), properties: { amount: 20000 } },
      ]);
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const say = async (operator: string, text: string) => (await command(app, operator, text)).replies.join('\n');
  const holders = async (tag: string) =>
    Number((await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM tags WHERE name = ?', [tag]))[0].n);

  it.each([
    [
      'wxid_admin',
      '/人群 save 北京 城市:北京',
      '/打标签 加 北京 活动/双十一',
      '已给 segment:北京 中 1 人加上 活动/双十一',
    ],
    [
      'wxid_operator',
      '/segment save bj city:Beijing',
      '/tag add bj campaign/1111',
      'Tagged 1 person of segment:bj with',
    ],
  ])('tags a small segment at once, audited (%s)', async (operator, save, tag, says) => {
    await say(operator, save);
    expect(await say(operator, tag)).toContain(says);
    expect(await holders(tag.split(' ').pop() as string)).toBe(1);
    const [audit] = await app.persona.db.select<{ action: string; details: string }>(
      "SELECT action, details FROM audit_log WHERE action = 'tag.bulk_added'",
    );
    expect(JSON.parse(audit.details)).toMatchObject({ selected: 1, changed: 1 });
  });

  it.each([
    [
      'wxid_admin',
      '/打标签 加 "城市:上海" 会员日',
      '将给 城市:上海 的 3 人加上标签 会员日',
      '/确认',
      '已给 城市:上海 中 3 人加上 会员日',
    ],
    [
      'wxid_operator',
      '/tag add "city:Shanghai" member-day',
      'Tagging 3 people of city:Shanghai with member-day',
      '/confirm',
      'Tagged 3 people',
    ],
  ])(
    'asks for a code above the configured size, then tags everyone (%s)',
    async (operator, tag, planned, confirm, done) => {
      const asked = await say(operator, tag);
      expect(asked).toContain(planned);
      const code = new RegExp(`${confirm} (\\d{6})`).exec(asked)?.[1];
      expect(await holders(tag.split(' ').pop() as string)).toBe(0);
      expect(await say(operator, `${confirm} ${code}`)).toContain(done);
      expect(await holders(tag.split(' ').pop() as string)).toBe(3);
      // Taken away again, the same way.
      const untag = tag.replace(' add ', ' remove ').replace(' 加 ', ' 去掉 ');
      const again = await say(operator, untag);
      expect(await say(operator, `${confirm} ${new RegExp(`${confirm} (\\d{6})`).exec(again)?.[1]}`)).toMatch(
        /去掉|Untagged 3/,
      );
      expect(await holders(tag.split(' ').pop() as string)).toBe(0);
    },
  );

  it.each([
    [
      'wxid_admin',
      '/人群 save 目标 城市:上海',
      '/人群 修改 目标 城市:北京',
      '人群 目标：city:上海 → city:北京。当前 1 人（之前 3 人）。',
    ],
    [
      'wxid_operator',
      '/segment save target city:Shanghai',
      '/segment update target city:Beijing',
      'Segment target: city:Shanghai → city:Beijing. Now 1 person (was 3).',
    ],
  ])('changes a saved segment, with its count before and after (%s)', async (operator, save, update, says) => {
    await say(operator, save);
    expect(await say(operator, update)).toContain(says);
  });

  it.each([
    ['wxid_admin', '/帮助 表达式', '/人群 count', '城市:上海'],
    ['wxid_operator', '/help expression', '/segment count', 'city:上海'],
  ])(
    'explains the expression language with values from the data, every example working (%s)',
    async (operator, help, count, city) => {
      await say(operator, '/人群 save 北京 城市:北京');
      const reference = await say(operator, help);
      expect(reference).toContain(city);
      const examples = reference
        .split('\n')
        .filter((line) => line.startsWith('· '))
        .flatMap((line) => line.slice(2).split(' — ')[0].split(' · '));
      expect(examples.length).toBeGreaterThanOrEqual(12);
      for (const example of examples) {
        const counted = await command(app, operator, `${count} ${example}`);
        expect({ example, outcome: counted.outcome }).toEqual({ example, outcome: 'ok' });
      }
    },
  );
});

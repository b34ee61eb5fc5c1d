import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Reproductions of issue 19 (a plan shows what will be sent; codes and plans expire together and can be renewed;
 * a confirmation counts those who receive it), through the bot's HTTP transport, in Chinese (wxid_admin) and English
 * (wxid_operator).
 */
describe('a push plan in chat, from plan to confirmation', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  // Wednesday noon in Shanghai: outside quiet hours. The clock moves when a test says so.
  const start = new Date('2026-11-25T04:00:00Z');
  let now = start;

  beforeEach(async () => {
    now = start;
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, () => now, 60);
    // Followed yesterday; 林娟霞 wrote an hour ago, so the customer-service window is open for her alone.
    for (const [openid, name] of [
      ['oLin', '林娟霞'],
      ['oWang', null],
      ['oZhao', null],
    ] as const) {
      await record(app, openid, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(start.getTime() - 86_400_000),
          attributes: { city: 'Shanghai', ...(name ? { name } : {}) },
        },
      ]);
    }
    await record(app, 'oLin', [{ key: 'hello', type: 'message', at: new Date(start.getTime() - 3_600_000) }]);
    await app.persona.worker.drain();
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  async function latestPush(): Promise<{ id: number; status: string }> {
    const [row] = await app.persona.db.select<{ id: number }>('SELECT id FROM pushes ORDER BY id DESC LIMIT 1');
    return (await (await app.request(`/api/pushes/${Number(row.id)}`)).json()) as { id: number; status: string };
  }

  const codeIn = (reply: string) => /(?:\/confirm|\/确认) (\d{6})/.exec(reply)?.[1] as string;

  it.each([
    [
      'wxid_admin',
      '/推送 "city:Shanghai" 名称:会员之夜 {{name|亲}}，{{nickname|朋友}}，会员之夜见 https://shop.example.com/vip',
      [
        '将发送：客服消息 1 · 群发 2',
        '将发送的内容：',
        '【客服消息】以 #',
        '【群发】所有人相同（占位符用后备值），',
        '亲，朋友，会员之夜见 https://shop.example.com/vip',
        '林娟霞，朋友，会员之夜见 https://shop.example.com/vip',
        '链接 1 个（未开启点击统计）：https://shop.example.com/vip',
        '⚠ 受众中没有人有“nickname”的值：所有人在这里看到的都是“朋友”。',
        '“name”：3 人中有 1 人有值，其余的人看到“亲”。',
        '计划和验证码在 11月25日（周三）12:10 失效。',
      ],
    ],
    [
      'wxid_operator',
      '/push "city:Shanghai" name:"VIP night" Dear {{name|friend}}, see you {{nickname}} https://shop.example.com/vip',
      [
        'Would send: customer service 1 · mass 2',
        'What they will read:',
        '[customer service] filled in for #',
        'Dear friend, see you  https://shop.example.com/vip',
        'Dear 林娟霞, see you  https://shop.example.com/vip',
        'Links (1), clicks not counted: https://shop.example.com/vip',
        '⚠ Nobody in the audience has a nickname, and it has no fallback: it is blank for everyone.',
        'name: 1 of 3 has one; the others read “friend”.',
        'The plan and its code expire at Wed 25 Nov 12:10.',
      ],
    ],
  ])('the plan shows the text as it goes out, its links and its placeholders (%s)', async (operator, push, says) => {
    const plan = (await command(app, operator, push)).replies.join('\n');
    for (const line of says) expect(plan).toContain(line);
    // The person it was filled for is the one whose name it shows.
    const [{ id }] = await app.persona.db.select<{ id: number }>(
      "SELECT profile_id AS id FROM identities WHERE value = 'oLin'",
    );
    expect(plan).toContain(`#${Number(id)}`);
  });

  it('a mass send shows the text everyone reads, with the fallbacks filled in', async () => {
    // Nobody has written for three days: the window is shut, so the push goes as a mass send.
    now = new Date(start.getTime() + 3 * 86_400_000);
    const plan = (await command(app, 'wxid_admin', '/推送 "city:Shanghai" {{name|亲爱的会员}}，周末见')).replies.join(
      '\n',
    );
    expect(plan).toContain('【群发】所有人相同（占位符用后备值），9 字：');
    expect(plan).toContain('亲爱的会员，周末见');
    expect(plan).not.toContain('林娟霞');
  });

  it.each([
    [
      'wxid_admin',
      '/推送 "city:Shanghai" 周末见',
      '/确认',
      '/推送 验证码',
      '已过期（/推送 验证码',
      '验证码 10 分钟内有效',
    ],
    [
      'wxid_operator',
      '/push "city:Shanghai" See you',
      '/confirm',
      '/push code',
      'expired (/push code',
      'codes last 10',
    ],
  ])(
    'a plan expires with its code, and a fresh code plans it again (%s)',
    async (operator, push, confirm, code, expired, noneWaiting) => {
      const plan = (await command(app, operator, push)).replies.join('\n');
      const { id } = await latestPush();
      now = new Date(start.getTime() + 11 * 60_000);
      expect((await command(app, operator, `${confirm} ${codeIn(plan)}`)).replies.join('\n')).toContain(noneWaiting);
      expect((await latestPush()).status).toBe('expired');
      expect((await command(app, operator, `/status ${id}`)).replies.join('\n')).toContain(expired);
      // Confirming an expired plan through the API is refused too.
      expect((await app.request(`/api/pushes/${id}/confirm`, { method: 'POST' })).status).toBe(409);
      const renewed = (await command(app, operator, `${code} ${id}`)).replies.join('\n');
      expect(renewed).toContain(`#${id}`);
      expect((await latestPush()).status).toBe('planned');
      const confirmed = await command(app, operator, `${confirm} ${codeIn(renewed)}`);
      expect(confirmed.replies.join('\n')).toContain(`#${id}`);
      expect(['sending', 'done']).toContain((await latestPush()).status);
    },
  );

  it.each([
    ['wxid_admin', '/推送 "city:Shanghai" 周末见', '/确认', '/推送 验证码', '错误次数过多'],
    ['wxid_operator', '/push "city:Shanghai" See you', '/confirm', '/push code', 'Too many wrong codes'],
  ])(
    'after five wrong codes the plan waits, and a fresh code confirms it (%s)',
    async (operator, push, confirm, code, tooMany) => {
      const right = codeIn((await command(app, operator, push)).replies.join('\n'));
      const wrong = right === '000000' ? '111111' : '000000';
      let last = '';
      for (let attempt = 0; attempt < 5; attempt += 1)
        last = (await command(app, operator, `${confirm} ${wrong}`)).replies.join('\n');
      const { id } = await latestPush();
      expect(last).toContain(tooMany);
      expect(last).toContain(`#${id}`);
      // The old code no longer works, and the push still waits.
      expect((await command(app, operator, `${confirm} ${right}`)).replies.join('\n')).not.toContain(`#${id}`);
      expect((await latestPush()).status).toBe('planned');
      const fresh = codeIn((await command(app, operator, `${code} ${id}`)).replies.join('\n'));
      expect((await command(app, operator, `${confirm} ${fresh}`)).status).toBe(200);
      expect(['sending', 'done']).toContain((await latestPush()).status);
    },
  );

  it.each([
    ['wxid_admin', '/推送 "city:Shanghai" 周末见', '/确认', '预计 2 人收到', '（另有 1 人按发送规则跳过。）'],
    [
      'wxid_operator',
      '/push "city:Shanghai" See you',
      '/confirm',
      '2 people should receive it',
      '(1 more is skipped by the sending rules.)',
    ],
  ])(
    'a confirmation counts those who receive it, not the whole audience (%s)',
    async (operator, push, confirm, receive, skipped) => {
      await record(app, 'oZhao', [
        { key: 'opt-out', type: 'form_submit', at: now, attributes: { marketingConsent: false } },
      ]);
      const code = codeIn((await command(app, operator, push)).replies.join('\n'));
      const confirmed = (await command(app, operator, `${confirm} ${code}`)).replies.join('\n');
      expect(confirmed).toContain(receive);
      expect(confirmed).toContain(skipped);
    },
  );
});

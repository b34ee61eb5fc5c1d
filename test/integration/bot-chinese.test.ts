import { command, startBotApp } from '../support/bot-fixtures';
import { englishSentenceIn } from '../support/english-sentence';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Reproduction 6 of issue 19: a Chinese operator got English (`没有成功：column 11: expected a lifecycle stage…`,
 * `⚠ no profile has the tag…`, tags as `demographic/female`). Every command, and every way of getting one wrong, is
 * answered here in Chinese: no English sentence in any reply.
 */
describe('a Chinese operator reads Chinese, whatever they type', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeAll(async () => {
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, now, 600, { bulkConfirmAbove: 1 });
    for (const [openid, city, gender] of [
      ['oA', 'Shanghai', 'female'],
      ['oB', 'Beijing', 'male'],
    ])
      await record(app, openid, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(now.getTime() - 86_400_000),
          attributes: { city, gender, name: openid === 'oA' ? '林娟霞' : '王强' },
        },
        { key: 'buy', type: 'purchase', at: new Date(now.getTime() - 3_600_000), properties: { amount: 12800 } },
      ]);
    await command(app, 'wxid_admin', '/人群 save 上海 城市:上海');
    await command(app, 'wxid_admin', '/人群 save 上海女性 人群:上海 且 性别:女');
  });

  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it.each([
    // Commands that work.
    '/帮助',
    '/帮助 推送',
    '/帮助 表达式',
    '/统计',
    '/标签',
    '/查人 林娟霞',
    '/查人 林',
    '/人群 count 城市:上海',
    '/人群 预览 城市:上海',
    '/人群 列表',
    '/人群 查看 上海',
    '/推送列表',
    '/规则',
    '/规则 预演 忠实用户 评分 >= 80',
    '/推送 上海 周末见',
    '/打标签 加 上海 会员日',
    // Mistakes.
    '/推荐',
    '/人群',
    '/人群 count 生命周期:睡觉',
    '/人群 count 城市 > 上海',
    '/人群 count 标签:',
    '/人群 count 标签:不存在的标签',
    '/人群 count 城市:上梅',
    '/人群 count 年龄 >= 30',
    '/人群 count (城市:上海',
    '/人群 count 事件:purchase >= 在 30d',
    '/人群 查看 没有这个人群',
    '/人群 删除 上海',
    '/人群 save 上海 城市:上海',
    '/推送 没有这个人群 你好',
    '/推送 "城市:上海" 时间:昨天10点 你好',
    '/推送 "城市:上海" 时间:周五 你好',
    '/推送 "城市:上海" 时间:很快 你好',
    '/推送 验证码 999',
    '/推送 验证码',
    '/确认 123456',
    '/确认',
    '/取消 999',
    '/状态 999',
    '/查人 赵',
    '/查人 13',
    '/查人 nobody@example.com',
    '/打标签 加 #999 会员',
    '/打标签 加 林 会员',
    '/打标签 加 #1 lifecycle/new',
    '/打标签 去掉 #1 忠实用户',
    '/规则 预演 没有这条规则 10',
    '/规则 预演 website-entry 很多',
    '/问 上海有多少人',
    '/文案 上海 周末促销',
  ])('%s', async (text) => {
    const answer = await command(app, 'wxid_admin', text);
    expect(answer.status).toBe(200);
    const replies = answer.replies.join('\n');
    expect(replies.length).toBeGreaterThan(0);
    if (process.env.SHOW_REPLIES) console.log(`${text}\n${replies}`);
    expect({ text, english: englishSentenceIn(replies) }).toEqual({ text, english: undefined });
  });
});

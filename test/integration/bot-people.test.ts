import { loadConfig } from '../../src/config/config-loader';
import { expandTagRule } from '../../src/rules/rules-document.schema';
import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { profileOf, record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Reproductions of issue 19 (finding people; tags, stages and amounts as operators read them), through the bot's
 * HTTP transport, in Chinese (wxid_admin) and English (wxid_operator).
 */
describe('people as operators know them', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, now, 60);
    const people: [string, string, string | null][] = [
      ['oLinJuanxia', '林娟霞', '+8613800138000'],
      ['oLinXiaoming', '林小明', '+8613900139001'],
      ['oWangFang', '王芳', '+8613700138000'],
    ];
    for (const [openid, name, phone] of people) {
      await app.persona.accept('test', [
        {
          key: `${openid}:follow`,
          type: 'subscribe',
          channel: 'wechat',
          occurredAt: new Date(now.getTime() - 86_400_000),
          identities: [
            { type: 'openid', scope: 'default', value: openid },
            ...(phone ? [{ type: 'phone' as const, scope: '', value: phone }] : []),
          ],
          properties: { account: 'default' },
          attributes: { name, gender: 'female' },
        },
      ]);
    }
    await record(app, 'oLinJuanxia', [
      { key: 'buy', type: 'purchase', at: new Date(now.getTime() - 3_600_000), properties: { amount: 12800 } },
    ]);
    await app.persona.worker.drain();
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  it.each([
    ['wxid_admin', '/查人 林娟霞', '👤 林娟霞'],
    ['wxid_operator', '/whois 林娟霞', '👤 林娟霞'],
    ['wxid_admin', '/查人 尾号9001', '👤 林小明'],
    ['wxid_operator', '/whois tail:9001', '👤 林小明'],
    ['wxid_admin', '/查人 oWangFang', '👤 王芳'],
  ])('finds one person by name, phone ending or openid (%s: %s)', async (operator, text, card) => {
    const found = await command(app, operator, text);
    expect(found.status).toBe(200);
    expect(found.replies.join('\n')).toContain(card);
  });

  it.each([
    ['wxid_admin', '/查人 林', '找到 2 人：', '/查人 #编号'],
    ['wxid_operator', '/whois tail:8000', '2 people match:', '/whois #<id>'],
  ])('lists the people a reference may mean, masked, to pick from (%s: %s)', async (operator, text, title, pick) => {
    const listed = (await command(app, operator, text)).replies.join('\n');
    expect(listed).toContain(title);
    expect(listed).toContain(pick);
    // A masked name and a masked phone, never the whole of either.
    expect(listed).toMatch(/#\d+ [林王]\*+ \+86\d{3}\*{4}\d{4}/);
    expect(listed).not.toContain('13800138000');
    expect(listed).not.toContain('林娟霞');
  });

  it.each([
    ['wxid_admin', '/查人 赵', '没有找到“赵”'],
    ['wxid_operator', '/whois nobody@example.com', 'Nobody found for “nobody@example.com”'],
  ])('says plainly when nobody matches (%s: %s)', async (operator, text, says) => {
    expect((await command(app, operator, text)).replies.join('\n')).toContain(says);
  });

  it('tags someone only when the reference names one person', async () => {
    const ambiguous = (await command(app, 'wxid_admin', '/打标签 加 林 会员')).replies.join('\n');
    expect(ambiguous).toContain('“林”对应不止一人');
    const id = await profileOf(app, 'oLinJuanxia');
    expect((await command(app, 'wxid_admin', '/打标签 加 林娟霞 会员')).replies).toEqual([`已给 #${id} 加上 会员。`]);
  });

  it('shows a card in Chinese: gender, event names, amounts in yuan, tags by their labels', async () => {
    const card = (await command(app, 'wxid_admin', '/查人 林娟霞')).replies.join('\n');
    expect(card).toContain('性别 女');
    expect(card).toContain('购买 [微信] · ¥128.00');
    expect(card).toContain('资料变化 · 性别=女');
    expect(card).toContain('加标签 · 标签=女性');
    expect(card).toContain('关注');
    expect(card).toContain('人口属性: 女性');
    expect(card).not.toMatch(/demographic\/|purchase|amount=|female/);
  });

  it('gives every tag the default rules make a Chinese label', () => {
    const config = loadConfig({ env: {} });
    const tags = config.rules.tags.rules.flatMap((rule) => expandTagRule(rule).map((expanded) => expanded.tag));
    const labels = config.rules.tags.labels;
    expect(tags.filter((tag) => !labels[tag]?.['zh-CN'])).toEqual([]);
  });

  it.each([
    ['wxid_admin', '/人群 预览 性别:女', '#'],
    ['wxid_operator', '/segment preview gender:female', '#'],
  ])('a preview’s sample shows a masked name and phone, not an openid (%s)', async (operator, text) => {
    const preview = (await command(app, operator, text)).replies.join('\n');
    expect(preview).toMatch(/#\d+ 林\*\* \+86138\*{4}8000/);
    expect(preview).not.toMatch(/oLin/);
  });

  it.each([
    ['/规则 预演 忠实用户 评分 >= 80', '以上只是预演，没有任何修改。'],
    // The English label, quoted for its blank (the preview is an admin's, and the admin here reads Chinese).
    ['/规则 预演 "loyal customer" 评分 >= 80', '以上只是预演，没有任何修改。'],
  ])('a rules preview takes a tag by its label (%s)', async (text, says) => {
    const answer = await command(app, 'wxid_admin', text);
    expect(answer.outcome).toBe('ok');
    expect(answer.replies.join('\n')).toContain(says);
  });
});

import { up as normalizeStoredValues } from '../../migrations/20261203090100-normalize-catalogued-attributes';
import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

/**
 * Reproductions of issue 19 (values that mean the same thing match; a value nobody holds is told with the nearest
 * held one), through the bot's HTTP transport, in Chinese (wxid_admin) and English (wxid_operator).
 */
describe('values as operators type them', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, now, 60);
    // Written the ways sources write them: WeChat in English, a form in Chinese, a CRM with 市 and in capitals.
    const people: [string, Record<string, string>][] = [
      ['oA', { city: 'Shanghai', gender: 'F', province: 'Shanghai' }],
      ['oB', { city: '上海市', gender: '女' }],
      ['oC', { city: 'SHANGHAI', gender: 'male' }],
      ['oD', { city: 'Beijing', gender: 'female', province: '北京市', company: 'ACME Ltd' }],
    ];
    for (const [openid, attributes] of people)
      await record(app, openid, [
        { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - 86_400_000), attributes },
      ]);
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  const count = async (operator: string, text: string) => (await command(app, operator, text)).replies.join('\n');

  it.each([
    ['wxid_admin', '/人群 count 城市:上海', 'city:上海 → 3 人'],
    ['wxid_admin', '/人群 count 城市:上海市', '→ 3 人'],
    ['wxid_operator', '/segment count city:Shanghai', 'city:Shanghai → 3 people'],
    ['wxid_operator', '/segment count city:shanghai', '→ 3 people'],
    ['wxid_admin', '/人群 count 性别:女', '→ 3 人'],
    ['wxid_operator', '/segment count gender:F', '→ 3 people'],
    ['wxid_operator', '/segment count gender:female AND province:Beijing', '→ 1 person'],
    ['wxid_admin', '/人群 count 城市 in (上海, Beijing)', '→ 4 人'],
    ['wxid_operator', '/segment count company:"acme ltd"', '→ 1 person'],
    ['wxid_admin', '/人群 count 公司:"Acme LTD"', '→ 1 人'],
  ])('one place, one gender, however typed (%s: %s)', async (operator, text, counted) => {
    const answer = await count(operator, text);
    expect(answer).toContain(counted);
    expect(answer).not.toContain('⚠');
  });

  it.each([
    ['wxid_admin', '/人群 count 城市:上梅', '⚠ 没有人的城市是“上梅”；你是不是想找 上海（3 人）？'],
    ['wxid_operator', '/segment count city:Shangai', '⚠ nobody’s city is “Shangai”: did you mean 上海 (3 people)?'],
    ['wxid_admin', '/人群 count 城市:拉萨', '⚠ 没有人的城市是“拉萨”；最常见的是 上海（3 人）、北京（1 人）'],
    [
      'wxid_operator',
      '/segment count gender:unknown',
      '⚠ nobody’s gender is “unknown”: the most common are female (3), male (1)',
    ],
  ])('a value nobody holds is told with the nearest held one and its count (%s: %s)', async (operator, text, says) => {
    const answer = await count(operator, text);
    expect(answer).toMatch(/→ 0 (人|people)/);
    expect(answer).toContain(says);
  });

  it.each([
    ['wxid_admin', '/人群 count 年龄 >= 30', '⚠ 还没有人有生日或年龄段资料：按年龄的条件不会选中任何人'],
    [
      'wxid_operator',
      '/segment count age >= 30',
      '⚠ nobody has a birthday or an age band yet: a condition on age selects nobody',
    ],
  ])('a condition on age without any birthday says so (%s)', async (operator, text, says) => {
    expect(await count(operator, text)).toContain(says);
  });

  it('gives values stored before they had one spelling that spelling (the migration)', async () => {
    const db = app.persona.db;
    const [{ id }] = await db.select<{ id: number }>("SELECT profile_id AS id FROM identities WHERE value = 'oA'");
    // As rows written before this version hold them.
    await db.execute("UPDATE attributes SET value = '\"shanghai \"' WHERE profile_id = ? AND name = 'city'", [
      Number(id),
    ]);
    await db.execute("UPDATE attributes SET value = '\"zh_CN\"' WHERE profile_id = ? AND name = 'gender'", [
      Number(id),
    ]);
    await normalizeStoredValues({
      context: { sequelize: db.sequelize, queryInterface: db.sequelize.getQueryInterface() },
    });
    const rows = await db.select<{ name: string; value: string }>(
      'SELECT name, value FROM attributes WHERE profile_id = ? ORDER BY name',
      [Number(id)],
    );
    expect(Object.fromEntries(rows.map((row) => [row.name, JSON.parse(row.value)]))).toMatchObject({
      city: '上海',
      province: '上海',
      // Not a gender: left as it was.
      gender: 'zh_CN',
    });
    expect(await count('wxid_admin', '/人群 count 城市:上海')).toContain('→ 3 人');
  });
});

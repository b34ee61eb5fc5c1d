import { botOperators, command } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { FakeWecomApi, type FakeWecomMessage } from '../support/fake-wecom-api';
import { pushSettings, record, wechatApiPlugin } from '../support/push-fixtures';
import { defaultRules, startTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { callback, cardEventXml, textMessageXml, verifyUrlQuery, type WecomAppKeys } from '../support/wecom-client';

const keys: WecomAppKeys = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAESKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
};
const agentId = 1000002;
const robotKey = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa';

/** WeCom members configured as operators: a Chinese admin, an English operator, a viewer. */
const wecomOperators = [
  { contact: 'wecom:ZhangSan', name: '张三', role: 'admin' },
  { contact: 'wecom:Olivia', name: 'Olivia', role: 'operator', locale: 'en' },
  { contact: 'wecom:Victor', name: 'Victor', role: 'viewer', locale: 'en' },
];

/**
 * Issue 20: operators reach the bot through a WeCom self-built app, over the real callback crypto (signed and
 * encrypted as WeCom does, by test/support/wecom-client.ts) and a fake WeCom API speaking its wire format; pushes go
 * out through the fake WeChat API; a group robot hears of finished pushes.
 */
describe('WeCom: the operators’ chat and the team’s robot', () => {
  let wechat: FakeWechatApi;
  let wecom: FakeWecomApi;
  let app: TestApp;
  // Wednesday noon in Shanghai: outside quiet hours.
  const now = new Date('2026-11-25T04:00:00Z');
  const timestamp = Math.floor(now.getTime() / 1000);
  let sequence = 0;

  async function startApp(robot: Record<string, unknown> = {}): Promise<TestApp> {
    return startTestApp(
      {
        plugins: {
          'wechat-official-account': wechatApiPlugin(wechat),
          wecom: {
            enabled: true,
            api: { baseUrl: wecom.baseUrl, retryBaseMs: 1, rateLimitWaitMs: 20 },
            apps: [
              {
                name: 'hq',
                corpId: keys.corpId,
                agentId,
                secret: 'env:WECOM_APP_SECRET',
                token: 'env:WECOM_TOKEN',
                encodingAESKey: 'env:WECOM_ENCODING_AES_KEY',
              },
            ],
            robots: [{ name: 'ops', webhookUrl: 'env:TEST_WECOM_ROBOT_URL', ...robot }],
          },
        },
        pushes: pushSettings(),
        rules: { ...defaultRules, scoring: [] },
        bot: { operators: [...botOperators, ...wecomOperators], commandsPerMinute: 60 },
      },
      undefined,
      { clock: () => now },
      { TEST_WECOM_ROBOT_URL: wecom.robotUrl(robotKey) },
    );
  }

  beforeEach(async () => {
    wechat = await FakeWechatApi.start();
    wecom = await FakeWecomApi.start({ corpId: keys.corpId, secret: 'fake-wecom-secret', agentId });
    wecom.addRobot(robotKey);
    app = await startApp();
    for (const openid of ['oA', 'oB', 'oC']) {
      await record(app, openid, [
        {
          key: 'follow',
          type: 'subscribe',
          at: new Date(now.getTime() - 86_400_000),
          attributes: { city: 'Shanghai' },
        },
      ]);
    }
  });

  afterEach(async () => {
    await app.stop();
    await wecom.close();
    await wechat.close();
  });

  /** Posts a callback as WeCom would; answers the response. */
  async function post(xml: string, options: Parameters<typeof callback>[2] = {}, body?: string): Promise<Response> {
    const signed = callback(keys, xml, { timestamp, agentId, ...options });
    return fetch(`${app.url}/wecom/hq?${signed.query}`, { method: 'POST', body: body ?? signed.body });
  }

  function say(from: string, content: string, msgId = String(4561255354251345929n + BigInt((sequence += 1)))) {
    return post(textMessageXml({ corpId: keys.corpId, from, content, msgId, createTime: timestamp, agentId }));
  }

  const messagesTo = (userid: string): FakeWecomMessage[] => wecom.messages.filter((m) => m.touser === userid);
  const textsTo = (userid: string): string[] =>
    messagesTo(userid)
      .filter((m) => m.msgtype === 'text')
      .map((m) => (m.body.text as { content: string }).content);
  const auditRows = async () =>
    Number((await app.persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM bot_audit'))[0].n);

  it('answers the URL check with the decrypted echostr', async () => {
    const { query, echo } = verifyUrlQuery(keys, { timestamp });
    const response = await fetch(`${app.url}/wecom/hq?${query}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(echo);
    const forged = verifyUrlQuery({ ...keys, token: 'another-token' }, { timestamp });
    expect((await fetch(`${app.url}/wecom/hq?${forged.query}`)).status).toBe(401);
  });

  it('answers an operator’s count in Chinese by message/send, the same as any chat', async () => {
    const response = await say('ZhangSan', '/人群 count "city:上海"');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const [reply] = await waitFor(async () => textsTo('ZhangSan').length > 0 && textsTo('ZhangSan'));
    const expected = await command(app, 'wecom:ZhangSan', '/人群 count "city:上海"');
    expect(reply).toBe(expected.replies[0]);
    expect(reply).toContain('3');
    expect(messagesTo('ZhangSan').every((message) => !message.dropped)).toBe(true);
  });

  it('sends a plan as a card whose button sends the push exactly once', async () => {
    await say('ZhangSan', '/推送 "city:Shanghai" 名称:会员之夜 会员之夜见');
    const card = await waitFor(async () => messagesTo('ZhangSan').find((m) => m.msgtype === 'template_card'));
    const [plan] = textsTo('ZhangSan');
    expect(plan).toContain('确认发送请在');
    const template = card.body.template_card as {
      task_id: string;
      main_title: { title: string };
      button_list: { text: string; key: string }[];
    };
    expect(template.main_title.title).toMatch(/^确认推送 #\d+$/);
    expect(template.button_list.map((button) => button.text)).toEqual(['确认发送', '取消']);
    const confirm = template.button_list[0].key;
    const press = (createTime: number) =>
      post(
        cardEventXml({
          corpId: keys.corpId,
          from: 'ZhangSan',
          eventKey: confirm,
          taskId: template.task_id,
          responseCode: wecom.clickCode(),
          createTime,
          agentId,
        }),
      );
    expect((await press(timestamp)).status).toBe(200);
    await waitFor(async () => textsTo('ZhangSan').some((text) => text.includes('已确认')) || undefined);
    await waitFor(async () => wecom.cardUpdates.length === 1 || undefined);
    expect(wecom.cardUpdates[0]).toMatchObject({ userids: ['ZhangSan'], replaceName: '已确认' });
    // Pressed again (a second click, WeCom's redelivery): nothing more happens.
    expect((await press(timestamp + 1)).status).toBe(200);
    expect((await press(timestamp + 1)).status).toBe(200);
    await app.persona.pushWorker.drain();
    const [push] = await app.persona.db.select<{ id: number; status: string }>('SELECT id, status FROM pushes');
    expect(push.status).toBe('done');
    const deliveries = await app.persona.db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM push_deliveries WHERE status = 'sent'",
    );
    expect(Number(deliveries[0].n)).toBe(3);
    expect(wechat.massSends).toHaveLength(1);
    expect(wecom.cardUpdates).toHaveLength(1);
    expect(textsTo('ZhangSan').filter((text) => text.includes('已确认'))).toHaveLength(1);
    // The robot hears the push finished, with its report and its funnel.
    const posted = await waitFor(async () => wecom.robotMessages.length >= 2 && wecom.robotMessages);
    expect((posted[0].body.markdown as { content: string }).content).toContain(`推送 #${push.id} 已发送完毕`);
    expect(posted[1].msgtype).toBe('image');
  });

  it('gives a viewer no button and refuses their /push; a forged press confirms nothing', async () => {
    await say('Victor', '/push "city:Shanghai" hello');
    const [refusal] = await waitFor(async () => textsTo('Victor').length > 0 && textsTo('Victor'));
    expect(refusal).toContain('/push needs');
    expect(messagesTo('Victor').some((m) => m.msgtype === 'template_card')).toBe(false);
    // The admin plans; the viewer presses a button carrying the admin's code: the code is bound to its operator.
    await say('ZhangSan', '/推送 "city:Shanghai" 你好');
    const card = await waitFor(async () => messagesTo('ZhangSan').find((m) => m.msgtype === 'template_card'));
    const template = card.body.template_card as { task_id: string; button_list: { key: string }[] };
    await post(
      cardEventXml({
        corpId: keys.corpId,
        from: 'Victor',
        eventKey: template.button_list[0].key,
        taskId: template.task_id,
        responseCode: wecom.clickCode(),
        createTime: timestamp,
        agentId,
      }),
    );
    await waitFor(async () => textsTo('Victor').length > 1 || undefined);
    expect(textsTo('Victor')[1]).toContain('/confirm needs');
    const [push] = await app.persona.db.select<{ status: string }>('SELECT status FROM pushes');
    expect(push.status).toBe('planned');
  });

  it('refuses a stranger once', async () => {
    await say('Stranger', '/人群 count tag:vip');
    await say('Stranger', '/人群 count tag:vip');
    await waitFor(async () => textsTo('Stranger').length > 0 || undefined);
    // The second message is audited too: once both are, no more answers can come.
    await waitFor(async () => (await auditRows()) === 2 || undefined);
    expect(textsTo('Stranger')).toHaveLength(1);
    expect(textsTo('Stranger')[0]).toContain('只为团队运营人员服务');
  });

  it('refuses bad signatures, a foreign corpId, a stale timestamp, declarations and oversized bodies, storing nothing', async () => {
    const xml = textMessageXml({
      corpId: keys.corpId,
      from: 'ZhangSan',
      content: '/人群 count tag:vip',
      msgId: '1',
      createTime: timestamp,
      agentId,
    });
    const signed = callback(keys, xml, { timestamp, agentId });
    const badSignature = signed.query.replace(/msg_signature=[0-9a-f]{4}/, 'msg_signature=0000');
    expect((await fetch(`${app.url}/wecom/hq?${badSignature}`, { method: 'POST', body: signed.body })).status).toBe(
      401,
    );
    expect((await post(xml, { receiverId: 'ww0000000000000000' })).status).toBe(401);
    const foreignInside = xml.replace(keys.corpId, 'ww0000000000000000');
    expect((await post(foreignInside)).status).toBe(401);
    expect((await post(xml, { timestamp: timestamp - 3600 })).status).toBe(401);
    const entity = `<!DOCTYPE xml [<!ENTITY a "b">]>${xml}`;
    expect((await post(entity)).status).toBe(400);
    const envelopeWithEntity = callback(keys, xml, { timestamp, agentId });
    const declared = `<!DOCTYPE xml [<!ENTITY a "b">]>${envelopeWithEntity.body}`;
    expect(
      (await fetch(`${app.url}/wecom/hq?${envelopeWithEntity.query}`, { method: 'POST', body: declared })).status,
    ).toBe(400);
    const big = `<xml><Pad>${'x'.repeat(70 * 1024)}</Pad></xml>`;
    expect((await post(big)).status).toBe(413);
    expect(await auditRows()).toBe(0);
    expect(wecom.messages).toHaveLength(0);
  });

  it('answers a message delivered three times once', async () => {
    for (let delivery = 0; delivery < 3; delivery += 1)
      expect((await say('ZhangSan', '/人群 count "city:上海"', '99887766554433221')).status).toBe(200);
    await waitFor(async () => textsTo('ZhangSan').length > 0 || undefined);
    expect(await auditRows()).toBe(1);
    // Answers run after the acknowledgement: a stop waits for them, so nothing more can come after it.
    await app.stop();
    app = await startApp();
    expect(textsTo('ZhangSan')).toHaveLength(1);
  });

  it('brings the morning digest to a subscriber over WeCom and to the robot, once a day', async () => {
    await say('ZhangSan', '/订阅 日报');
    await waitFor(async () => textsTo('ZhangSan').length > 0 || undefined);
    const morning = new Date('2026-11-26T01:00:00Z');
    await app.persona.bot.digest.sendAll(morning);
    await app.persona.bot.digest.sendAll(morning);
    await waitFor(async () => messagesTo('ZhangSan').some((m) => m.msgtype === 'image') || undefined);
    expect(textsTo('ZhangSan').filter((text) => text.startsWith('早上好'))).toHaveLength(1);
    expect(wecom.uploads.length).toBeGreaterThanOrEqual(1);
    await waitFor(async () => wecom.robotMessages.length >= 2 || undefined);
    expect((wecom.robotMessages[0].body.markdown as { content: string }).content).toContain('早上好');
    expect(wecom.robotMessages.filter((m) => m.msgtype === 'markdown')).toHaveLength(1);
  });

  it('posts at most 20 messages a minute to a robot and keeps the rest waiting', async () => {
    for (let index = 0; index < 25; index += 1)
      app.persona.notices.post({ kind: 'inbox.parked', source: `source-${index}`, entryId: index, error: 'boom' });
    await waitFor(async () => wecom.robotMessages.length === 20 || undefined);
    const status = (await (await app.request('/api/bot/status')).json()) as {
      announcers: { name: string; detail: { posted: number; queued: number } }[];
      channels: { name: string; state: string }[];
    };
    expect(status.announcers[0]).toMatchObject({ name: 'robot:ops', detail: { posted: 20, queued: 5 } });
    expect(status.channels[0]).toMatchObject({ name: 'wecom:hq', state: 'ready' });
    // WeCom itself never had to refuse one for frequency.
    const robotCalls = wecom.requests.filter((request) => request.path === 'webhook/send');
    expect(robotCalls).toHaveLength(20);
    expect((wecom.robotMessages[0].body.markdown as { content: string }).content).toContain('处理失败');
  });
});

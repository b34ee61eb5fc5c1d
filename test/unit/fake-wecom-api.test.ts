import { createHash } from 'node:crypto';

import { FakeWecomApi, wecomErrmsg } from '../support/fake-wecom-api';
import {
  callback,
  cardEventXml,
  decryptFrom,
  encryptFor,
  msgSignature,
  textMessageXml,
  verifyUrlQuery,
  wecomSampleVectors,
  type WecomAppKeys,
} from '../support/wecom-client';

/** A PNG's signature and the start of its IHDR chunk: all the fake looks at. */
const pngBytes = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** The fake's own rules, which the plugin's tests lean on: WeCom's answers, limits and silent drops. */
describe('fake WeCom API', () => {
  let wecom: FakeWecomApi;
  let clock: number;

  const call = async (
    path: string,
    options: { method?: string; body?: unknown; token?: string; query?: Record<string, string> } = {},
  ) => {
    const url = new URL(path, wecom.baseUrl);
    if (options.token !== undefined) url.searchParams.set('access_token', options.token);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const body =
      options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const response = await fetch(url, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), body });
    const text = await response.text();
    return {
      status: response.status,
      body: (text.startsWith('{') ? JSON.parse(text) : text) as Record<string, unknown>,
    };
  };
  const getToken = async (query: Record<string, string> = {}) =>
    (await call('gettoken', { query: { corpid: wecom.corpId, corpsecret: wecom.secret, ...query } })).body;
  const token = async () => (await getToken()).access_token as string;
  const text = (touser: string, content = 'hi', extra: Record<string, unknown> = {}) => ({
    touser,
    msgtype: 'text',
    agentid: wecom.agentId,
    text: { content },
    ...extra,
  });
  const send = async (body: unknown, accessToken: string) =>
    (await call('message/send', { body, token: accessToken })).body;
  const buttonCard = (
    taskId: string,
    buttons: unknown[] = [
      { text: 'Yes', key: 'yes' },
      { text: 'No', key: 'no' },
    ],
  ) => ({
    touser: 'zhangsan',
    msgtype: 'template_card',
    agentid: wecom.agentId,
    template_card: {
      card_type: 'button_interaction',
      main_title: { title: 'Coming?' },
      task_id: taskId,
      button_list: buttons,
    },
  });

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 6, 9, 0, 0);
    wecom = await FakeWecomApi.start({ now: () => clock });
  });

  afterEach(() => wecom.close());

  it('issues tokens like WeCom: the same one within its life, 42001 once expired, 40014 for one it never gave', async () => {
    expect(await getToken({ corpid: 'ww0000000000000000' })).toEqual({ errcode: 40013, errmsg: wecomErrmsg(40013) });
    expect(await getToken({ corpsecret: 'nope' })).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential, more info at https://open.work.weixin.qq.com/devtool/query?e=40001',
    });
    const first = await getToken();
    expect(first).toEqual({ errcode: 0, errmsg: 'ok', access_token: expect.any(String), expires_in: 7200 });
    expect((await getToken()).access_token).toBe(first.access_token);
    expect(wecom.tokensIssued).toBe(1);
    expect(await send(text('zhangsan'), first.access_token as string)).toMatchObject({ errcode: 0 });

    wecom.expireTokens();
    expect(await send(text('zhangsan'), first.access_token as string)).toEqual({
      errcode: 42001,
      errmsg: 'access_token expired, more info at https://open.work.weixin.qq.com/devtool/query?e=42001',
    });
    const second = await token();
    expect(second).not.toBe(first.access_token);
    expect(wecom.tokensIssued).toBe(2);
    expect((await send(text('zhangsan'), 'made-up')).errcode).toBe(40014);
    expect((await call('message/send', { body: text('zhangsan') })).body.errcode).toBe(41001);

    // Two hours later the token has run out by itself.
    clock += 7200 * 1000;
    expect((await send(text('zhangsan'), second)).errcode).toBe(42001);
    expect(await token()).not.toBe(second);
    expect(wecom.requests.filter(({ path }) => path === 'message/send').map(({ accessToken }) => accessToken)).toEqual([
      first.access_token,
      first.access_token,
      'made-up',
      undefined,
      second,
    ]);
  });

  it('sends a text message and reports recipients outside the app’s members', async () => {
    const accessToken = await token();
    const sent = await send(text('zhangsan'), accessToken);
    expect(sent).toEqual({ errcode: 0, errmsg: 'ok', invaliduser: '', msgid: expect.any(String) });
    expect(wecom.messages).toEqual([
      { touser: 'zhangsan', msgtype: 'text', body: text('zhangsan'), msgid: sent.msgid, dropped: false },
    ]);

    wecom.setMembers(['zhangsan', 'lisi']);
    const partly = await send(text('zhangsan|lisi|x'), accessToken);
    expect(partly).toMatchObject({ errcode: 0, invaliduser: 'x' });
    expect(wecom.messages.slice(1).map(({ touser, msgid }) => ({ touser, msgid }))).toEqual([
      { touser: 'zhangsan', msgid: partly.msgid },
      { touser: 'lisi', msgid: partly.msgid },
    ]);
    expect(await send(text('x|y'), accessToken)).toEqual({ errcode: 81013, errmsg: wecomErrmsg(81013) });
    expect((await send(text('zhangsan', 'hi', { agentid: 1000003 }), accessToken)).errcode).toBe(40056);
    expect((await send({ ...text('zhangsan'), msgtype: 'voice' }, accessToken)).errcode).toBe(40008);
    expect((await send(text('zhangsan', ''), accessToken)).errcode).toBe(44004);
    expect((await send('{"touser": "zhangsan",', accessToken)).errcode).toBe(40058);
    expect(wecom.messages).toHaveLength(3);
  });

  it('refuses text and markdown over 2048 bytes with 45002', async () => {
    const accessToken = await token();
    // 682 three-byte characters and two ASCII ones: 2048 bytes; one more is over.
    const longest = '好'.repeat(682) + 'ok';
    expect((await send(text('zhangsan', longest), accessToken)).errcode).toBe(0);
    expect(await send(text('zhangsan', longest + '!'), accessToken)).toEqual({
      errcode: 45002,
      errmsg: wecomErrmsg(45002),
    });
    const markdown = (content: string) => ({
      touser: 'zhangsan',
      msgtype: 'markdown',
      agentid: wecom.agentId,
      markdown: { content },
    });
    expect((await send(markdown('x'.repeat(2048)), accessToken)).errcode).toBe(0);
    expect((await send(markdown('x'.repeat(2049)), accessToken)).errcode).toBe(45002);
    expect(wecom.messages.map(({ msgtype }) => msgtype)).toEqual(['text', 'markdown']);
  });

  it('silently drops a member’s 31st message within a minute, as WeCom does, and delivers again a minute later', async () => {
    const accessToken = await token();
    for (let i = 0; i < 30; i += 1) {
      clock += 1000;
      expect((await send(text('zhangsan', `#${i}`), accessToken)).errcode).toBe(0);
    }
    // WeCom still answers ok.
    expect(await send(text('zhangsan|lisi', 'one too many'), accessToken)).toMatchObject({
      errcode: 0,
      invaliduser: '',
    });
    expect(wecom.messages.filter(({ dropped }) => dropped).map(({ touser, body }) => [touser, body])).toEqual([
      ['zhangsan', text('zhangsan|lisi', 'one too many')],
    ]);
    // The first of the 30 was sent 29 s before the drop; once it is a minute old there is room for one more.
    clock += 31_000;
    expect((await send(text('zhangsan', 'later'), accessToken)).errcode).toBe(0);
    expect(wecom.messages.at(-1)).toMatchObject({ touser: 'zhangsan', dropped: false });
  });

  it('drops a member’s 1001st message within an hour even when well under the minute limit', async () => {
    const accessToken = await token();
    for (let i = 0; i < 1000; i += 1) {
      clock += 3000;
      await send(text('zhangsan', `#${i}`), accessToken);
    }
    expect(wecom.messages.filter(({ dropped }) => dropped)).toHaveLength(0);
    clock += 3000;
    await send(text('zhangsan', 'over the hour'), accessToken);
    expect(wecom.messages.at(-1)).toMatchObject({ dropped: true });
    // The first of the thousand was sent 3600 s before this one.
    clock += 600_000;
    await send(text('zhangsan', 'an hour after the first'), accessToken);
    expect(wecom.messages.at(-1)).toMatchObject({ dropped: false });
  });

  it('takes a multipart image upload and sends its media_id', async () => {
    const accessToken = await token();
    const upload = async (bytes: Buffer, filename: string, type = 'image', field = 'media') => {
      const form = new FormData();
      form.append(field, new Blob([bytes], { type: 'image/png' }), filename);
      const url = new URL('media/upload', wecom.baseUrl);
      url.searchParams.set('access_token', accessToken);
      url.searchParams.set('type', type);
      return (await (await fetch(url, { method: 'POST', body: form })).json()) as Record<string, unknown>;
    };

    const uploaded = await upload(pngBytes, 'chart "week 2".png');
    expect(uploaded).toEqual({
      errcode: 0,
      errmsg: '',
      type: 'image',
      media_id: expect.any(String),
      created_at: String(Math.floor(clock / 1000)),
    });
    expect(wecom.uploads).toEqual([
      { mediaId: uploaded.media_id, type: 'image', filename: 'chart "week 2".png', bytes: pngBytes },
    ]);
    expect(wecom.requests.at(-1)?.body).toEqual({
      multipart: [{ name: 'media', filename: 'chart "week 2".png', contentType: 'image/png', size: pngBytes.length }],
    });

    const image = (mediaId: string) => ({
      touser: 'zhangsan',
      msgtype: 'image',
      agentid: wecom.agentId,
      image: { media_id: mediaId },
    });
    expect((await send(image(uploaded.media_id as string), accessToken)).errcode).toBe(0);
    expect(await send(image('never-uploaded'), accessToken)).toEqual({ errcode: 40007, errmsg: wecomErrmsg(40007) });

    expect((await upload(Buffer.from('GIF89a, not a PNG'), 'a.gif')).errcode).toBe(40123);
    expect((await upload(Buffer.alloc(0), 'empty.png')).errcode).toBe(44001);
    expect((await upload(pngBytes, 'a.png', 'image', 'file')).errcode).toBe(44001);
    expect((await upload(pngBytes, 'a.png', 'sticker')).errcode).toBe(40005);
    expect(wecom.uploads).toHaveLength(1);

    // Media lives three days.
    clock += 3 * 24 * 3600 * 1000;
    expect((await send(image(uploaded.media_id as string), await token())).errcode).toBe(40007);
  });

  it('takes each response_code once in update_template_card, from the send or from a click', async () => {
    const accessToken = await token();
    const sent = await send(buttonCard('visit-42'), accessToken);
    expect(sent).toEqual({
      errcode: 0,
      errmsg: 'ok',
      invaliduser: '',
      msgid: expect.any(String),
      response_code: expect.any(String),
    });
    expect(wecom.messages[0]).toMatchObject({
      msgtype: 'template_card',
      responseCode: sent.response_code,
      dropped: false,
    });

    const update = (responseCode: unknown, extra: Record<string, unknown> = { button: { replace_name: 'Answered' } }) =>
      call('message/update_template_card', {
        token: accessToken,
        body: { userids: ['zhangsan'], agentid: wecom.agentId, response_code: responseCode, ...extra },
      }).then(({ body }) => body);
    expect(await update(sent.response_code)).toEqual({ errcode: 0, errmsg: 'ok', invaliduser: [] });
    expect(await update(sent.response_code)).toEqual({ errcode: 42022, errmsg: wecomErrmsg(42022) });

    const clicked = wecom.clickCode();
    const replacement = {
      card_type: 'text_notice',
      main_title: { title: 'Thanks' },
      card_action: { type: 1, url: 'https://example.com' },
    };
    expect((await update(clicked, { template_card: replacement })).errcode).toBe(0);
    expect((await update('never-given')).errcode).toBe(40058);
    expect(wecom.cardUpdates).toEqual([
      { userids: ['zhangsan'], responseCode: sent.response_code, replaceName: 'Answered' },
      { userids: ['zhangsan'], responseCode: clicked, templateCard: replacement },
    ]);

    // task_id: unique within the app, [A-Za-z0-9_-@] only; buttons: 1 to 6 with distinct keys.
    expect(await send(buttonCard('visit-42'), accessToken)).toEqual({
      errcode: 42014,
      errmsg: expect.stringContaining('e=42014'),
    });
    expect((await send(buttonCard('visit 43'), accessToken)).errcode).toBe(42014);
    expect((await send(buttonCard('x'.repeat(129)), accessToken)).errcode).toBe(42014);
    expect(
      (
        await send(
          buttonCard('visit-44', [
            { text: 'A', key: 'k' },
            { text: 'B', key: 'k' },
          ]),
          accessToken,
        )
      ).errcode,
    ).toBe(42018);
    const seven = Array.from({ length: 7 }, (_, i) => ({ text: `B${i}`, key: `k${i}` }));
    expect((await send(buttonCard('visit-45', seven), accessToken)).errcode).toBe(40058);
    expect((await send(buttonCard('visit-46', []), accessToken)).errcode).toBe(40058);
    const notice = await send(
      { touser: 'zhangsan', msgtype: 'template_card', agentid: wecom.agentId, template_card: replacement },
      accessToken,
    );
    expect(notice).toEqual({ errcode: 0, errmsg: 'ok', invaliduser: '', msgid: expect.any(String) });
  });

  it('lets a group robot post 20 messages a minute, then answers 45009 without posting', async () => {
    wecom.addRobot('693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa');
    const robot = wecom.robotUrl('693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa');
    expect(robot).toBe(`${wecom.baseUrl}webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa`);
    const post = async (url: string, body: unknown) =>
      (await (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as Record<string, unknown>;
    const markdown = (content: string) => ({ msgtype: 'markdown', markdown: { content } });

    for (let i = 0; i < 20; i += 1) {
      clock += 1000;
      expect(await post(robot, markdown(`**#${i}**`))).toEqual({ errcode: 0, errmsg: 'ok' });
    }
    expect(await post(robot, markdown('one too many'))).toEqual({
      errcode: 45009,
      errmsg: 'api freq out of limit, more info at https://open.work.weixin.qq.com/devtool/query?e=45009',
    });
    expect(wecom.robotMessages).toHaveLength(20);
    expect(wecom.robotMessages[0]).toEqual({
      key: '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa',
      msgtype: 'markdown',
      body: markdown('**#0**'),
    });
    clock += 60_000;
    expect((await post(robot, markdown('a minute later'))).errcode).toBe(0);

    expect((await post(wecom.robotUrl('removed'), markdown('hi'))).errcode).toBe(93000);
    expect(await post(robot, markdown('x'.repeat(4097)))).toEqual({
      errcode: 40058,
      errmsg: wecomErrmsg(40058, 'markdown.content exceed max length 4096. invalid Request Parameter'),
    });
    const md5 = createHash('md5').update(pngBytes).digest('hex');
    const image = (bytes: Buffer, hash: string) => ({
      msgtype: 'image',
      image: { base64: bytes.toString('base64'), md5: hash },
    });
    expect((await post(robot, image(pngBytes, '0'.repeat(32)))).errcode).toBe(301019);
    expect((await post(robot, image(pngBytes, md5))).errcode).toBe(0);
    const big = Buffer.concat([pngBytes, Buffer.alloc(2 * 1024 * 1024)]);
    expect((await post(robot, image(big, createHash('md5').update(big).digest('hex')))).errcode).toBe(40009);
    expect(
      wecom.requests
        .filter(({ path }) => path === 'webhook/send')
        .every(({ accessToken }) => accessToken === undefined),
    ).toBe(true);
    expect(wecom.requests.at(-1)?.query).toEqual({ key: '693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa' });
  });

  it('applies injected faults in order, naming the caller’s IP in 60020 as WeCom does', async () => {
    wecom.inject({ errcode: 60020 });
    wecom.inject({ path: 'message/send', errcode: -1, times: 2 });
    wecom.inject({ path: 'message/send', status: 502 });
    wecom.inject({ path: 'message/send', drop: true });
    const accessToken = await token();
    const refused = await send(text('zhangsan'), accessToken);
    expect(refused.errcode).toBe(60020);
    expect(refused.errmsg).toMatch(
      /^not allow to access from your ip, hint: \[\d+_\d+_[0-9a-f]+\], from ip: 127\.0\.0\.1, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=60020$/,
    );
    expect(await send(text('zhangsan'), accessToken)).toEqual({ errcode: -1, errmsg: wecomErrmsg(-1) });
    expect((await send(text('zhangsan'), accessToken)).errcode).toBe(-1);
    expect((await call('message/send', { body: text('zhangsan'), token: accessToken })).status).toBe(502);
    await expect(send(text('zhangsan'), accessToken)).rejects.toThrow();
    expect(wecom.pendingFaults).toBe(0);
    expect(await send(text('zhangsan'), accessToken)).toMatchObject({ errcode: 0 });
    expect(wecom.messages).toHaveLength(1);

    wecom.inject({ path: 'gettoken', errcode: 45033, errmsg: 'api concurrent out of limit' });
    expect(await getToken()).toEqual({ errcode: 45033, errmsg: 'api concurrent out of limit' });
    expect((await call('no/such/api', { body: {} })).status).toBe(404);
  });
});

describe('WeCom callback client', () => {
  const vectors = Object.entries(wecomSampleVectors);

  it.each(vectors)('reproduces sample %s: signatures and decryption', (_, vector) => {
    const { keys, urlVerification: url, message } = vector;
    expect(msgSignature(keys.token, url.timestamp, url.nonce, url.echostr)).toBe(url.msgSignature);
    expect(decryptFrom(keys, url.echostr)).toEqual({ message: url.plaintext, receiverId: keys.corpId });
    expect(message.encrypt).not.toBe('');
    expect(msgSignature(keys.token, message.timestamp, message.nonce, message.encrypt)).toBe(message.msgSignature);
    expect(decryptFrom(keys, message.encrypt)).toEqual({ message: message.plaintext, receiverId: keys.corpId });
  });

  it('rejects sample C with a nonce one off, and reproduces its fixed-random encryption byte for byte', () => {
    const { keys, urlVerification: url, encryptVector: vector } = wecomSampleVectors.C;
    expect(msgSignature(keys.token, url.timestamp, '437374424', url.echostr)).not.toBe(url.msgSignature);
    const encrypted = encryptFor(keys, vector.plaintext, keys.corpId, Buffer.from(vector.random, 'ascii'));
    expect(encrypted).toBe(vector.encrypt);
    expect(msgSignature(keys.token, vector.timestamp, vector.nonce, encrypted)).toBe(vector.msgSignature);
  });

  it('builds the text message of sample A exactly', () => {
    expect(
      textMessageXml({
        corpId: 'wx5823bf96d3bd56c7',
        from: 'mycreate',
        content: 'hello',
        msgId: '4561255354251345929',
        createTime: 1409659813,
        agentId: 218,
      }),
    ).toBe(wecomSampleVectors.A.message.plaintext);
  });

  const keys: WecomAppKeys = { ...wecomSampleVectors.B.keys };

  it('signs a URL verification whose echostr decrypts to the echo', () => {
    const { query, echo } = verifyUrlQuery(keys, { timestamp: 1795000000, nonce: '1234' });
    expect(echo).toMatch(/^\d+$/);
    const params = new URLSearchParams(query);
    expect(query).toContain('echostr=');
    const echostr = params.get('echostr') as string;
    expect(params.get('msg_signature')).toBe(msgSignature(keys.token, '1795000000', '1234', echostr));
    expect(decryptFrom(keys, echostr)).toEqual({ message: echo, receiverId: keys.corpId });
  });

  it('wraps a card click in WeCom’s envelope, signed', () => {
    const xml = cardEventXml({
      corpId: keys.corpId,
      from: 'zhangsan',
      eventKey: 'yes',
      taskId: 'visit-42',
      responseCode: 'code-1',
      createTime: 1795000000,
      agentId: 1000002,
    });
    expect(xml).toBe(
      [
        '<xml>',
        '<ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>',
        '<FromUserName><![CDATA[zhangsan]]></FromUserName>',
        '<CreateTime>1795000000</CreateTime>',
        '<MsgType><![CDATA[event]]></MsgType>',
        '<Event><![CDATA[template_card_event]]></Event>',
        '<EventKey><![CDATA[yes]]></EventKey>',
        '<TaskId><![CDATA[visit-42]]></TaskId>',
        '<CardType><![CDATA[button_interaction]]></CardType>',
        '<ResponseCode><![CDATA[code-1]]></ResponseCode>',
        '<AgentID>1000002</AgentID>',
        '</xml>',
      ].join('\n'),
    );
    const { query, body } = callback(keys, xml, { timestamp: 1795000000, nonce: '99', agentId: 1000002 });
    const match =
      /^<xml><ToUserName><!\[CDATA\[ww1436e0e65a779aee\]\]><\/ToUserName><Encrypt><!\[CDATA\[([A-Za-z0-9+/=]+)\]\]><\/Encrypt><AgentID><!\[CDATA\[1000002\]\]><\/AgentID><\/xml>$/.exec(
        body,
      );
    expect(match).not.toBeNull();
    const encrypt = (match as RegExpExecArray)[1];
    const params = new URLSearchParams(query);
    expect([...params.keys()]).toEqual(['msg_signature', 'timestamp', 'nonce']);
    expect(params.get('msg_signature')).toBe(msgSignature(keys.token, '1795000000', '99', encrypt));
    expect(decryptFrom(keys, encrypt)).toEqual({ message: xml, receiverId: keys.corpId });
  });
});

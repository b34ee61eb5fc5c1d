import { startTestApp, type TestApp } from '../support/test-app';
import {
  decryptFrom,
  eventMessage,
  type Mode,
  sampleAccount,
  sha1Signature,
  signedPost,
  textMessage,
  type WechatAccountKeys,
  wechatXml,
} from '../support/wechat-client';

const brandB: WechatAccountKeys = {
  token: 'brand-b-token',
  encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
  appId: 'wx00000000000000b2',
};

const wechatPlugin = {
  enabled: true,
  replayWindowSeconds: 300,
  sceneChannels: [
    { pattern: 'store-*', channel: 'offline-store' },
    { pattern: 'poster-*', channel: 'offline-poster' },
  ],
  accounts: [
    {
      name: 'default',
      appId: 'env:WECHAT_APP_ID',
      token: 'env:WECHAT_TOKEN',
      encodingAESKey: 'env:WECHAT_ENCODING_AES_KEY',
      replies: {
        welcome: { type: 'text', content: '欢迎关注！' },
        welcomeByScene: [{ scene: 'poster-*', reply: { type: 'text', content: '海报粉丝专享券' } }],
        keywords: [
          {
            keyword: '优惠',
            match: 'contains',
            reply: { type: 'news', articles: [{ title: '双十一', url: 'https://brand.cn/d11' }] },
          },
          { keyword: '人工', reply: { type: 'transfer_customer_service' } },
          { keyword: '我是谁', reply: { type: 'text', content: '你好，{{name|朋友}}！{{city}}' } },
        ],
        default: { type: 'text', content: '收到' },
      },
    },
    {
      name: 'brand-b',
      appId: 'env:BRAND_B_APP_ID',
      token: 'env:BRAND_B_TOKEN',
      encodingAESKey: 'env:BRAND_B_AES_KEY',
      requireEncryption: true,
    },
  ],
};

describe('WeChat webhook', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ plugins: { 'wechat-official-account': wechatPlugin } });
  });

  afterAll(async () => {
    await app.stop();
  });

  beforeEach(async () => {
    for (const table of ['events', 'subscriptions', 'attributes', 'identities', 'inbox', 'delivery_reports']) {
      await app.persona.db.execute(`DELETE FROM ${table}`);
    }
    await app.persona.db.execute('DELETE FROM profiles');
  });

  function post(
    xml: string,
    options: Parameters<typeof signedPost>[2] & { keys?: WechatAccountKeys; path?: string } = {},
  ) {
    const request = signedPost(options.keys ?? sampleAccount, xml, options);
    return fetch(`${app.url}${options.path ?? '/wechat'}?${request.query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    });
  }

  async function count(table: string): Promise<number> {
    const [{ n }] = await app.persona.db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(n);
  }

  async function profileOf(openid: string, account = 'default') {
    await app.persona.worker.drain();
    const [row] = await app.persona.db.select<{ profile_id: number }>(
      'SELECT profile_id FROM identities WHERE type = ? AND scope = ? AND value = ?',
      ['openid', account, openid],
    );
    const profile = await app.persona.profiles.get(Number(row.profile_id));
    const timeline = await app.persona.timeline.list(profile.id, { limit: 50 });
    return { profile, events: timeline.events };
  }

  it('answers URL verification with echostr, and 401 to a bad signature', async () => {
    const params = new URLSearchParams({
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: '42',
      echostr: 'echo-123',
    });
    params.set('signature', sha1Signature(['spamtest', params.get('timestamp') as string, '42']));
    const ok = await fetch(`${app.url}/wechat?${params}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('echo-123');
    params.set('signature', '0'.repeat(40));
    expect((await fetch(`${app.url}/wechat?${params}`)).status).toBe(401);
  });

  it('records a follow from QR scene store-0217 with its first touch, then the unfollow', async () => {
    const follow = eventMessage(
      'oStoreFan',
      'subscribe',
      { EventKey: 'qrscene_store-0217', Ticket: 'TICKET' },
      1_795_000_000,
    );
    const followed = await post(follow);
    expect(followed.status).toBe(200);
    const reply = await followed.text();
    expect(reply).toContain('<Content><![CDATA[欢迎关注！]]></Content>');
    expect(reply).toContain('<ToUserName><![CDATA[oStoreFan]]></ToUserName>');

    let { profile, events } = await profileOf('oStoreFan');
    expect(profile.firstTouch).toEqual({
      source: 'store-0217',
      channel: 'offline-store',
      at: new Date(1_795_000_000_000).toISOString(),
    });
    expect(profile.subscriptions).toEqual([
      expect.objectContaining({
        account: 'default',
        subscribed: true,
        source: 'store-0217',
        channel: 'offline-store',
        unsubscribedAt: null,
      }),
    ]);
    // Same instant: newest first falls back to write order, and the scan is written after the follow.
    expect(events.map((event) => [event.type, event.channel])).toEqual([
      ['qr_scan', 'offline-store'],
      ['subscribe', 'offline-store'],
    ]);

    expect((await post(eventMessage('oStoreFan', 'unsubscribe', {}, 1_795_000_600))).status).toBe(200);
    ({ profile, events } = await profileOf('oStoreFan'));
    expect(profile.subscriptions[0]).toEqual(
      expect.objectContaining({
        subscribed: false,
        unsubscribedAt: new Date(1_795_000_600_000).toISOString(),
        source: 'store-0217',
      }),
    );
    expect(events[0].type).toBe('unsubscribe');

    // Following again restores it, keeping how the person first arrived.
    await post(eventMessage('oStoreFan', 'subscribe', {}, 1_795_001_000));
    ({ profile } = await profileOf('oStoreFan'));
    expect(profile.subscriptions[0]).toEqual(expect.objectContaining({ subscribed: true, source: 'store-0217' }));
    expect(profile.firstTouch?.source).toBe('store-0217');
  });

  it('records a message retried 3 times and an event delivered twice once each', async () => {
    const message = textMessage('oRetry', '你好', '6054768590064713999');
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await post(message)).status).toBe(200);
    const click = eventMessage('oRetry', 'CLICK', { EventKey: 'MENU_OFFERS' });
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await post(click)).status).toBe(200);
    const { events } = await profileOf('oRetry');
    expect(events.map((event) => event.type).sort()).toEqual(['menu_click', 'message']);
    expect(events.find((event) => event.type === 'menu_click')?.properties).toEqual({
      account: 'default',
      key: 'MENU_OFFERS',
    });
    expect(await count('events')).toBe(2);
  });

  describe('refuses hostile requests and stores nothing', () => {
    const hello = textMessage('oAttacker', 'hi', '1');

    afterEach(async () => {
      await app.persona.worker.drain();
      expect([await count('inbox'), await count('events'), await count('profiles')]).toEqual([0, 0, 0]);
    });

    it('a tampered signature → 401', async () => {
      const request = signedPost(sampleAccount, hello);
      const tampered = request.query.replace(
        /signature=([0-9a-f])/,
        (_, c: string) => `signature=${c === 'a' ? 'b' : 'a'}`,
      );
      expect((await fetch(`${app.url}/wechat?${tampered}`, { method: 'POST', body: request.body })).status).toBe(401);
    });

    it('a valid ciphertext for another appId → 401', async () => {
      const response = await post(hello, { mode: 'safe', appId: 'wx9999999999999999' });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain('another receiver');
    });

    it('a tampered msg_signature in safe mode → 401', async () => {
      const request = signedPost(sampleAccount, hello, { mode: 'safe' });
      const query = request.query.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'1'.repeat(40)}`);
      expect((await fetch(`${app.url}/wechat?${query}`, { method: 'POST', body: request.body })).status).toBe(401);
    });

    it('a stale timestamp → 401', async () => {
      expect((await post(hello, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
    });

    it('an XXE payload → 400, plain or inside the ciphertext', async () => {
      const xxe =
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>';
      expect((await post(xxe)).status).toBe(400);
      expect((await post(xxe, { mode: 'safe' })).status).toBe(400);
    });

    it('a 1 MB body → 413', async () => {
      const big = textMessage('oAttacker', 'x'.repeat(1024 * 1024), '2');
      expect((await post(big)).status).toBe(413);
    });

    it('truncated XML and missing fields → 400', async () => {
      expect((await post(hello.slice(0, hello.length - 20))).status).toBe(400);
      expect((await post(wechatXml({ ToUserName: 'gh', CreateTime: 1, MsgType: 'text', Content: 'x' }))).status).toBe(
        400,
      );
    });

    it('plain mode on an account that requires encryption → 403', async () => {
      expect((await post(hello, { keys: brandB, path: '/wechat/brand-b' })).status).toBe(403);
    });
  });

  it('answers in safe mode with an encrypted welcome whose MsgSignature checks', async () => {
    const response = await post(eventMessage('oSafeFan', 'subscribe', { EventKey: 'qrscene_poster-double11' }), {
      mode: 'safe',
    });
    expect(response.status).toBe(200);
    const envelope = await response.text();
    const part = (name: string) => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]+)`).exec(envelope)?.[1] as string;
    const [encrypt, signature, timestamp, nonce] = ['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce'].map(part);
    expect(sha1Signature([sampleAccount.token, timestamp, nonce, encrypt])).toBe(signature);
    const { xml, appId } = decryptFrom(sampleAccount, encrypt);
    expect(appId).toBe(sampleAccount.appId);
    expect(xml).toContain('<Content><![CDATA[海报粉丝专享券]]></Content>');
    expect(xml).toContain('<ToUserName><![CDATA[oSafeFan]]></ToUserName>');
    const { profile } = await profileOf('oSafeFan');
    expect(profile.firstTouch).toEqual(
      expect.objectContaining({ source: 'poster-double11', channel: 'offline-poster' }),
    );
  });

  it('takes the official compatible-mode sample (replay window off) onto the timeline', async () => {
    const old = await startTestApp(
      {
        plugins: { 'wechat-official-account': { ...wechatPlugin, replayWindowSeconds: 0 } },
      },
      app.database,
    );
    try {
      const encrypt =
        'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
      const body = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      const query =
        'signature=16120ec1b8dbb870f510d87ce6bc2463eae6ca1a&timestamp=1409735669&nonce=1320562132&encrypt_type=aes&msg_signature=5d197aaffba7e9b25a30732f161a50dee96bd5fa&openid=oyORnuP8q7ou2gfYjqLzSIWZf0rs';
      const response = await fetch(`${old.url}/wechat?${query}`, { method: 'POST', body });
      expect(response.status).toBe(200);
      await old.persona.worker.drain();
      const { events } = await profileOf('oyORnuP8q7ou2gfYjqLzSIWZf0rs');
      expect(events).toEqual([
        expect.objectContaining({
          type: 'message',
          channel: 'wechat',
          occurredAt: new Date(1_409_735_668_000).toISOString(),
          properties: { account: 'default', subtype: 'text', msgId: '6054768590064713728', content: 'abcdteT' },
        }),
      ]);
    } finally {
      await old.stop();
    }
  });

  it('replies by keyword (contains, then exact), then the default; transfers to customer service', async () => {
    const news = await (await post(textMessage('oKw', '有什么优惠吗', '11'))).text();
    expect(news).toContain('<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount>');
    expect(news).toContain('<Title><![CDATA[双十一]]></Title>');
    const transfer = await (await post(textMessage('oKw', ' 人工 ', '12'))).text();
    expect(transfer).toContain('<MsgType><![CDATA[transfer_customer_service]]></MsgType>');
    const fallback = await (await post(textMessage('oKw', '在吗', '13'))).text();
    expect(fallback).toContain('<Content><![CDATA[收到]]></Content>');
    const click = await post(eventMessage('oKw', 'CLICK', { EventKey: 'K' }));
    expect(await click.text()).toBe('success');
  });

  it('personalizes a reply with what Persona knows about the follower, falling back when it knows nothing', async () => {
    const first = await (await post(textMessage('oKnown', '我是谁', '41'))).text();
    expect(first).toContain('<Content><![CDATA[你好，朋友！]]></Content>');
    const { profile } = await profileOf('oKnown');
    const patched = await app.request(`/api/profiles/${profile.id}`, {
      method: 'PATCH',
      json: { attributes: { name: '李娜', city: '上海' } },
    });
    expect(patched.status).toBe(200);
    const second = await (await post(textMessage('oKnown', '我是谁', '42'))).text();
    expect(second).toContain('<Content><![CDATA[你好，李娜！上海]]></Content>');
  });

  it('keeps every message type and event, scopes openids per account, and stores delivery reports once', async () => {
    const base = { ToUserName: 'gh_test', FromUserName: 'oAll', CreateTime: 1_795_000_000 };
    const documents = [
      wechatXml({ ...base, MsgType: 'voice', MediaId: 'm1', Format: 'amr', Recognition: '今天天气', MsgId: '21' }),
      wechatXml({
        ...base,
        MsgType: 'location',
        Location_X: '31.2304',
        Location_Y: '121.4737',
        Scale: '15',
        Label: '上海',
        MsgId: '22',
      }),
      wechatXml({ ...base, MsgType: 'event', Event: 'VIEW', EventKey: 'https://brand.cn/shop' }),
      wechatXml({
        ...base,
        MsgType: 'event',
        Event: 'LOCATION',
        Latitude: '31.2',
        Longitude: '121.4',
        Precision: '65',
      }),
      wechatXml({ ...base, MsgType: 'event', Event: 'scancode_push', EventKey: 'scan1' }),
      wechatXml({
        ...base,
        MsgType: 'event',
        Event: 'MASSSENDJOBFINISH',
        MsgID: '1000001625',
        Status: 'send success',
        TotalCount: 100,
        FilterCount: 80,
        SentCount: 75,
        ErrorCount: 5,
      }),
      wechatXml({ ...base, MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: '200163836', Status: 'success' }),
    ];
    for (const document of documents) expect((await post(document)).status).toBe(200);
    await post(documents[5]); // WeChat retries the job report
    const { events } = await profileOf('oAll');
    const byType = Object.fromEntries(events.map((event) => [event.type, event.properties]));
    expect(Object.keys(byType).sort()).toEqual(['location_report', 'menu_view', 'message', 'wechat_event']);
    expect(events.filter((event) => event.type === 'message').map((event) => event.properties)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subtype: 'voice', recognition: '今天天气', format: 'amr' }),
        expect.objectContaining({ subtype: 'location', latitude: '31.2304', label: '上海' }),
      ]),
    );
    expect(byType.location_report).toEqual({ account: 'default', latitude: 31.2, longitude: 121.4, precision: 65 });
    expect(byType.wechat_event).toEqual(
      expect.objectContaining({ event: 'scancode_push', raw: expect.objectContaining({ EventKey: 'scan1' }) }),
    );
    const mass = await app.persona.deliveryReports.list('wechat-official-account', 'mass');
    expect(mass).toEqual([
      expect.objectContaining({
        externalId: '1000001625',
        status: 'send success',
        details: expect.objectContaining({ sentCount: 75, errorCount: 5 }),
      }),
    ]);
    const template = await app.persona.deliveryReports.list('wechat-official-account', 'template');
    expect(template).toEqual([
      expect.objectContaining({ externalId: '200163836', status: 'success', recipient: 'oAll' }),
    ]);

    // The same openid on another account is another identity.
    await post(textMessage('oAll', 'hello b', '31'), { keys: brandB, path: '/wechat/brand-b', mode: 'safe' });
    const other = await profileOf('oAll', 'brand-b');
    expect(other.profile.identities).toEqual([{ type: 'openid', scope: 'brand-b', value: 'oAll' }]);
  });

  // Exactly once under concurrency, not speed: bench:wechat measures how fast. 50 posts in flight at all times share
  // the inbox's group commits; the total only needs to keep them all busy for a while.
  it.each<Mode>(['plain', 'safe'])(
    'lands 500 distinct messages posted 50 at a time exactly once (%s mode)',
    async (mode) => {
      const total = 500;
      let next = 0;
      const statuses: number[] = [];
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < total) {
            const index = next++;
            const response = await post(textMessage(`oLoad${index % 100}`, `m${index}`, String(9_000_000 + index)), {
              mode,
            });
            statuses.push(response.status);
            await response.arrayBuffer();
          }
        }),
      );
      expect(statuses.filter((status) => status === 200)).toHaveLength(total);
      await app.persona.worker.drain();
      expect(await count('events')).toBe(total);
      expect(await count('profiles')).toBe(100);
    },
  );
});

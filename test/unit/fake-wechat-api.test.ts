import { FakeWechatApi } from '../support/fake-wechat-api';

/** The fake's rules that the client's tests don't reach: what WeChat answers to malformed or refused requests. */
describe('fake WeChat API', () => {
  let wechat: FakeWechatApi;

  const post = async (path: string, body: unknown, token?: string) => {
    const url = new URL(path, wechat.baseUrl);
    if (token !== undefined) url.searchParams.set('access_token', token);
    const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return {
      status: response.status,
      body: (await response.text().then((text) => (text.startsWith('{') ? JSON.parse(text) : text))) as Record<
        string,
        unknown
      >,
    };
  };
  const stableToken = async (extra: Record<string, unknown> = {}) =>
    (
      await post('stable_token', {
        grant_type: 'client_credential',
        appid: wechat.appId,
        secret: wechat.appSecret,
        force_refresh: false,
        ...extra,
      })
    ).body;
  const massText = (touser: unknown, extra: Record<string, unknown> = {}) => ({
    touser,
    msgtype: 'text',
    text: { content: 'hi' },
    ...extra,
  });

  beforeEach(async () => {
    wechat = await FakeWechatApi.start();
  });

  afterEach(() => wechat.close());

  it('issues stable tokens like WeChat: the current one until force_refresh, the old one still valid', async () => {
    expect(await stableToken({ appid: 'wx0000000000000000' })).toEqual({ errcode: 40013, errmsg: 'invalid appid' });
    expect(await stableToken({ secret: 'nope' })).toEqual({ errcode: 40125, errmsg: 'invalid appsecret' });
    const first = await stableToken();
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    expect((await stableToken()).access_token).toBe(first.access_token);
    const forced = await stableToken({ force_refresh: true });
    expect(forced.access_token).not.toBe(first.access_token);
    expect(wechat.tokensIssued).toBe(2);
    expect((await post('message/custom/send', massText('o-1'), first.access_token as string)).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    wechat.expireTokens();
    expect((await post('message/custom/send', massText('o-1'), first.access_token as string)).body).toEqual({
      errcode: 42001,
      errmsg: 'access_token expired',
    });
    expect((await post('message/custom/send', massText('o-1'), 'made-up')).body.errcode).toBe(40001);
    expect((await post('message/custom/send', massText('o-1'))).body.errcode).toBe(41001);
  });

  it('refuses malformed requests with WeChat’s codes', async () => {
    const token = (await stableToken()).access_token as string;
    expect((await post('message/custom/send', '{"touser": "o-1",', token)).body).toEqual({
      errcode: 47001,
      errmsg: 'data format error',
    });
    expect((await post('message/custom/send', '', token)).body).toEqual({ errcode: 44002, errmsg: 'empty post data' });
    expect((await post('message/custom/send', { touser: 'o-1', msgtype: 'video' }, token)).body.errcode).toBe(40008);
    expect((await post('message/custom/send', { touser: 'o-1', msgtype: 'text', text: {} }, token)).body.errcode).toBe(
      44004,
    );
    expect((await post('message/mass/get', { msg_id: 42 }, token)).body).toEqual({
      errcode: 40097,
      errmsg: 'invalid args',
    });
    expect((await post('qrcode/create', { action_name: 'QR_WHATEVER' }, token)).body.errcode).toBe(40052);
    expect(
      (
        await post(
          'qrcode/create',
          { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 100001 } } },
          token,
        )
      ).body.errcode,
    ).toBe(40053);
    expect(
      (
        await post(
          'user/info/batchget',
          { user_list: Array.from({ length: 101 }, (_, i) => ({ openid: `o-${i}` })) },
          token,
        )
      ).body.errcode,
    ).toBe(40032);
    expect((await post('message/custom/send', 'x'.repeat(1024 * 1024 + 1), token)).status).toBe(413);
    expect(wechat.customMessages).toEqual([]);
  });

  it('takes 2 to 10000 distinct openids for a mass send', async () => {
    const token = (await stableToken()).access_token as string;
    const atLeastTwo = { errcode: 40130, errmsg: 'invalid openid list size, at least two openid' };
    expect((await post('message/mass/send', massText(['o-1']), token)).body).toEqual(atLeastTwo);
    expect((await post('message/mass/send', massText(['o-1', 'o-1']), token)).body).toEqual(atLeastTwo);
    const tooMany = Array.from({ length: 10001 }, (_, i) => `o-${i}`);
    expect((await post('message/mass/send', massText(tooMany), token)).body.errcode).toBe(40032);
    const sent = (await post('message/mass/send', massText(['o-1', 'o-2', 'o-1'], { clientmsgid: 'c-1' }), token)).body;
    expect(sent).toEqual({ errcode: 0, errmsg: 'send job submission success', msg_id: expect.any(Number) });
    expect((await post('message/mass/send', massText(['o-1', 'o-2'], { clientmsgid: 'c-1' }), token)).body).toEqual({
      errcode: 45065,
      errmsg: 'clientmsgid exist',
      msg_id: sent.msg_id,
    });
    expect(wechat.massSends.map(({ touser, msgId }) => ({ touser, msgId }))).toEqual([
      { touser: ['o-1', 'o-2'], msgId: sent.msg_id },
    ]);
  });

  it('applies faults in the order injected, one per request, sparing the token endpoints unless named', async () => {
    wechat.inject({ path: 'message/custom/send', status: 503 });
    wechat.inject({ errcode: 45009 });
    const token = (await stableToken()).access_token as string;
    expect((await post('message/template/send', { touser: 'o-1', template_id: 't', data: {} }, token)).body).toEqual({
      errcode: 45009,
      errmsg: 'reach max api daily quota limit',
    });
    expect((await post('message/custom/send', massText('o-1'), token)).status).toBe(503);
    expect((await post('message/custom/send', massText('o-1'), token)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(wechat.pendingFaults).toBe(0);
    expect(wechat.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'POST stable_token',
      'POST message/template/send',
      'POST message/custom/send',
      'POST message/custom/send',
    ]);
  });
});

import { WechatApiClient } from '../../plugins/wechat-official-account/wechat-api-client';
import type { AccessTokenStore, WechatApiOptions } from '../../plugins/wechat-official-account/wechat-api.types';
import { WechatApiError } from '../../plugins/wechat-official-account/wechat.errors';
import { FakeWechatApi } from '../support/fake-wechat-api';

/**
 * The core's token store in miniature: one fetch at a time per name (others wait for it), and `invalidate` forgets
 * the token only while it is still the one that failed.
 */
class MemoryTokenStore implements AccessTokenStore {
  fetches = 0;
  /** The tokens clients reported as failed, in order. */
  readonly invalidated: string[] = [];
  private readonly entries = new Map<string, { pending: Promise<string>; value?: string; expiresAt?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(name: string, fetch: () => Promise<{ value: string; expiresAt: Date }>): Promise<string> {
    const current = this.entries.get(name);
    if (current && (current.expiresAt === undefined || current.expiresAt > this.now() + 60_000)) return current.pending;
    const entry: { pending: Promise<string>; value?: string; expiresAt?: number } = { pending: Promise.resolve('') };
    this.fetches += 1;
    entry.pending = fetch().then(
      (token) => {
        entry.value = token.value;
        entry.expiresAt = token.expiresAt.getTime();
        return token.value;
      },
      (error: unknown) => {
        if (this.entries.get(name) === entry) this.entries.delete(name);
        throw error;
      },
    );
    this.entries.set(name, entry);
    return entry.pending;
  }

  async invalidate(name: string, failed: string): Promise<void> {
    this.invalidated.push(failed);
    if (this.entries.get(name)?.value === failed) this.entries.delete(name);
  }
}

const text = (touser: string, content = 'hello') => ({ touser, msgtype: 'text', text: { content } });

describe('WeChat API client', () => {
  let wechat: FakeWechatApi;
  let slept: number[];

  const options = (overrides: Partial<WechatApiOptions> = {}): WechatApiOptions => ({
    baseUrl: wechat.baseUrl,
    appId: wechat.appId,
    appSecret: wechat.appSecret,
    tokenEndpoint: 'stable',
    // Generous, so a loaded machine doesn't turn ordinary requests into timeouts; the timeout test sets its own.
    timeoutMs: 10_000,
    maxAttempts: 3,
    retryBaseMs: 100,
    rateLimits: {},
    clock: () => new Date(),
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...overrides,
  });
  // random() = 0.5 makes the full-jitter waits half their ceiling: 50, 100, 200… for a base of 100.
  const client = (
    overrides: Partial<WechatApiOptions> = {},
    store: AccessTokenStore = new MemoryTokenStore(),
    random = () => 0.5,
  ) => new WechatApiClient('default', options(overrides), store, random);
  const requestsTo = (path: string) => wechat.requests.filter((request) => request.path === path);

  beforeEach(async () => {
    slept = [];
    wechat = await FakeWechatApi.start();
  });

  afterEach(() => wechat.close());

  describe('access token', () => {
    it('is fetched once from stable_token, through the store, and reused', async () => {
      const store = new MemoryTokenStore();
      const api = client({}, store);
      for (const openid of ['o-1', 'o-2', 'o-3']) await api.sendCustomMessage(text(openid));
      expect(store.fetches).toBe(1);
      expect(wechat.tokensIssued).toBe(1);
      expect(requestsTo('stable_token')).toEqual([
        {
          method: 'POST',
          path: 'stable_token',
          body: {
            grant_type: 'client_credential',
            appid: wechat.appId,
            secret: wechat.appSecret,
            force_refresh: false,
          },
        },
      ]);
      expect(new Set(requestsTo('message/custom/send').map((request) => request.accessToken)).size).toBe(1);
      expect(wechat.customMessages.map((message) => message.touser)).toEqual(['o-1', 'o-2', 'o-3']);
    });

    it('can come from the classic GET token endpoint', async () => {
      const api = client({ tokenEndpoint: 'classic' });
      await api.sendCustomMessage(text('o-1'));
      await api.sendCustomMessage(text('o-2'));
      expect(requestsTo('stable_token')).toEqual([]);
      expect(requestsTo('token')).toEqual([{ method: 'GET', path: 'token', body: undefined }]);
      expect(wechat.customMessages).toHaveLength(2);
    });

    it('expiring mid-run is refreshed and the call retried exactly once', async () => {
      const store = new MemoryTokenStore();
      const api = client({}, store);
      await api.sendCustomMessage(text('o-1'));
      const first = requestsTo('message/custom/send')[0].accessToken;
      wechat.inject({ path: 'message/custom/send', expireTokens: true });
      await api.sendCustomMessage(text('o-2'));
      const sends = requestsTo('message/custom/send');
      expect(sends).toHaveLength(3);
      expect(sends[1].accessToken).toBe(first);
      expect(sends[2].accessToken).not.toBe(first);
      expect(store.invalidated).toEqual([first]);
      expect(wechat.tokensIssued).toBe(2);
      expect(wechat.customMessages.map((message) => message.touser)).toEqual(['o-1', 'o-2']);
      expect(slept).toEqual([]);
    });

    it('refused a second time is thrown, not retried again', async () => {
      const api = client();
      await api.sendCustomMessage(text('o-1'));
      wechat.inject({ path: 'message/custom/send', expireTokens: true, times: 2 });
      await expect(api.sendCustomMessage(text('o-2'))).rejects.toMatchObject({
        errcode: 42001,
        path: 'message/custom/send',
        permanent: false,
      });
      expect(requestsTo('message/custom/send')).toHaveLength(3);
      expect(wechat.customMessages).toHaveLength(1);
    });

    it('is not invalidated when another instance has already replaced it', async () => {
      const store = new MemoryTokenStore();
      const [a, b] = [client({}, store), client({}, store)];
      await a.sendCustomMessage(text('o-1'));
      const stale = requestsTo('message/custom/send')[0].accessToken;
      wechat.expireTokens();
      // Both send with the stale token and both get 42001; whichever reports it second finds the token already
      // replaced (or being fetched) and must leave it, so there is one refresh, not two.
      await Promise.all([a.sendCustomMessage(text('o-2')), b.sendCustomMessage(text('o-3'))]);
      expect(store.invalidated).toEqual([stale, stale]);
      expect(store.fetches).toBe(2);
      const retries = requestsTo('message/custom/send').slice(3);
      expect(retries).toHaveLength(2);
      expect(retries[0].accessToken).toBe(retries[1].accessToken);
      expect(retries[0].accessToken).not.toBe(stale);
      expect(wechat.customMessages.map((message) => message.touser).sort()).toEqual(['o-1', 'o-2', 'o-3']);
    });
  });

  describe('retries', () => {
    it('retries -1 and 503 with full-jitter backoff, then succeeds', async () => {
      wechat.inject({ errcode: -1, errmsg: 'system error' });
      wechat.inject({ status: 503 });
      await client().sendCustomMessage(text('o-1'));
      expect(requestsTo('message/custom/send')).toHaveLength(3);
      expect(wechat.customMessages).toHaveLength(1);
      expect(slept).toEqual([50, 100]);
    });

    it('gives up after maxAttempts with an error saying what happened', async () => {
      wechat.inject({ status: 502, times: 3 });
      const error = await client()
        .sendCustomMessage(text('o-1'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatApiError);
      expect(error).toMatchObject({ errcode: -1, path: 'message/custom/send', permanent: false });
      expect((error as Error).message).toBe(
        'WeChat message/custom/send failed after 3 attempts: HTTP 502: <html><body><h1>502 Service Unavailable</h1></body></html>',
      );
      expect(requestsTo('message/custom/send')).toHaveLength(3);
      expect(slept).toEqual([50, 100]);
    });

    it('caps the backoff ceiling at 30 s', async () => {
      wechat.inject({ errcode: -1, times: 4 });
      await expect(
        client({ maxAttempts: 4, retryBaseMs: 20_000 }, new MemoryTokenStore(), () => 1).sendCustomMessage(text('o-1')),
      ).rejects.toThrow('WeChat message/custom/send failed after 4 attempts: -1 system error');
      expect(slept).toEqual([20_000, 30_000, 30_000]);
    });

    it.each([45015, 40003, 43004, 48001])(
      'fails only the call to the openid answered %i, at once and for good',
      async (errcode) => {
        wechat.failOpenid('o-closed', errcode);
        const api = client();
        await expect(api.sendCustomMessage(text('o-closed'))).rejects.toMatchObject({
          errcode,
          permanent: true,
          path: 'message/custom/send',
        });
        await api.sendCustomMessage(text('o-open'));
        expect(
          requestsTo('message/custom/send').filter(
            (request) => (request.body as { touser: string }).touser === 'o-closed',
          ),
        ).toHaveLength(1);
        expect(wechat.customMessages.map((message) => message.touser)).toEqual(['o-open']);
        expect(slept).toEqual([]);
      },
    );

    it('does not retry 45009 (daily quota): the caller reschedules', async () => {
      wechat.inject({ errcode: 45009 });
      await expect(client().sendCustomMessage(text('o-1'))).rejects.toMatchObject({
        errcode: 45009,
        errmsg: 'reach max api daily quota limit',
        permanent: false,
      });
      expect(requestsTo('message/custom/send')).toHaveLength(1);
      expect(slept).toEqual([]);
    });

    it('retries a dropped connection where repeating is safe (a lookup, a mass send with its clientmsgid)', async () => {
      wechat.setUser('o-1', { subscribe: 1 });
      wechat.inject({ path: 'user/info/batchget', drop: true });
      expect((await client().batchGetUsers(['o-1'])).map((user) => user.openid)).toEqual(['o-1']);
      expect(requestsTo('user/info/batchget')).toHaveLength(2);
      expect(slept).toEqual([50]);
    });

    it('does not repeat a customer-service send that may have arrived (a lost connection, a late answer)', async () => {
      wechat.inject({ path: 'message/custom/send', drop: true });
      await expect(client().sendCustomMessage(text('o-1'))).rejects.toMatchObject({
        outcomeUnknown: true,
        errcode: -1,
      });
      expect(requestsTo('message/custom/send')).toHaveLength(1);
      // The token is fetched beforehand, so only the send runs against the short timeout; the delay is twice it.
      const store = new MemoryTokenStore();
      await client({}, store).sendCustomMessage(text('o-2'));
      wechat.inject({ delayMs: 400 });
      await expect(client({ timeoutMs: 200 }, store).sendCustomMessage(text('o-3'))).rejects.toThrow(
        'WeChat message/custom/send: no answer (timed out after 200 ms); it may have been delivered, so it is not sent again',
      );
      // The fake made the late send before it answered, as WeChat would: delivered once, not repeated.
      expect(wechat.customMessages.map((message) => message.touser)).toEqual(['o-2', 'o-3']);
      expect(slept).toEqual([]);
    });

    it('retries an answer slower than timeoutMs where repeating is safe', async () => {
      const store = new MemoryTokenStore();
      await client({}, store).massSend(['o-1', 'o-2'], { msgtype: 'text', text: { content: 'hi' } }, 'batch-1');
      wechat.inject({ delayMs: 400 });
      const repeated = await client({ timeoutMs: 200 }, store).massSend(
        ['o-1', 'o-2'],
        { msgtype: 'text', text: { content: 'hi' } },
        'batch-2',
      );
      // The late first try went through; its repeat carries the same clientmsgid and is recognised.
      expect(repeated.duplicate).toBe(true);
      expect(wechat.massSends.map((send) => send.clientmsgid)).toEqual(['batch-1', 'batch-2']);
      expect(slept).toEqual([50]);
    });

    it('never puts the access token or the app secret in what it throws', async () => {
      const api = client();
      await api.sendCustomMessage(text('o-1'));
      const token = requestsTo('message/custom/send')[0].accessToken as string;
      const echo = `upstream failed: /cgi-bin/message/custom/send?access_token=${token} (token ${token}, secret ${wechat.appSecret})`;
      const failures: Array<() => void> = [
        () => wechat.inject({ status: 502, times: 3, body: echo }),
        () => wechat.inject({ errcode: -1, errmsg: echo, times: 3 }),
        () => wechat.inject({ errcode: 40164, errmsg: echo }),
        // A send that may have arrived is not repeated: one drop.
        () => wechat.inject({ drop: true }),
        () => wechat.inject({ expireTokens: true, times: 2 }),
      ];
      const errors: unknown[] = [];
      for (const fail of failures) {
        fail();
        errors.push(await api.sendCustomMessage(text('o-2')).catch((e: unknown) => e));
      }
      wechat.inject({ path: 'token', drop: true, times: 3 });
      errors.push(
        await client({ tokenEndpoint: 'classic' })
          .sendCustomMessage(text('o-3'))
          .catch((e: unknown) => e),
      );
      errors.push(
        await client({ appSecret: 'wrong-secret-4c1d' })
          .sendCustomMessage(text('o-4'))
          .catch((e: unknown) => e),
      );
      expect(errors.map((error) => (error as WechatApiError).errcode)).toEqual([-1, -1, 40164, -1, 42001, -1, 40125]);
      for (const error of errors) {
        expect(error).toBeInstanceOf(WechatApiError);
        const shown = `${(error as Error).stack} ${JSON.stringify(error)}`;
        expect(shown).not.toContain(token);
        expect(shown).not.toContain(wechat.appSecret);
        expect(shown).not.toContain('wrong-secret-4c1d');
      }
      expect((errors[0] as Error).message).toContain('access_token=[redacted]');
    });
  });

  describe('rate limits', () => {
    it('makes callers wait for a slot in the path’s window instead of failing', async () => {
      let clock = Date.parse('2025-03-01T08:00:00Z');
      const now = () => clock;
      const sleep = async (ms: number) => {
        slept.push(ms);
        clock += ms;
      };
      const api = client(
        { rateLimits: { 'message/custom/send': 2 }, now, clock: () => new Date(clock), sleep },
        new MemoryTokenStore(now),
      );
      const sentAt: number[] = [];
      for (let i = 1; i <= 5; i += 1) {
        await api.sendCustomMessage(text(`o-${i}`));
        sentAt.push(clock);
      }
      const start = sentAt[0];
      expect(sentAt.map((at) => at - start)).toEqual([0, 0, 60_000, 60_000, 120_000]);
      expect(slept).toEqual([60_000, 60_000]);
      // Other paths are not limited.
      await api.sendTemplateMessage({ touser: 'o-1', template_id: 'tpl', data: { first: { value: 'hi' } } });
      await api.sendTemplateMessage({ touser: 'o-1', template_id: 'tpl', data: { first: { value: 'hi' } } });
      await api.sendTemplateMessage({ touser: 'o-1', template_id: 'tpl', data: { first: { value: 'hi' } } });
      expect(slept).toEqual([60_000, 60_000]);
      expect(wechat.customMessages).toHaveLength(5);
    });
  });

  describe('calls', () => {
    it('sends a template message and answers its msgid exactly, although it is above 2^53', async () => {
      const result = await client().sendTemplateMessage({
        touser: 'o-1',
        template_id: 'ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY',
        url: 'https://example.com/orders/7',
        data: { first: { value: '订单已发货' }, remark: { value: 'thanks', color: '#173177' } },
      });
      expect(result).toEqual({ msgid: wechat.templateMessages[0].msgid });
      expect(BigInt(result.msgid)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
      expect(wechat.templateMessages[0].body).toMatchObject({
        touser: 'o-1',
        data: { first: { value: '订单已发货' } },
      });
    });

    it('mass-sends once per clientmsgid: the repeat is a duplicate with the original msg_id', async () => {
      const api = client();
      const message = { msgtype: 'text', text: { content: 'spring sale' } };
      const first = await api.massSend(['o-1', 'o-2', 'o-3'], message, 'campaign-7-batch-1');
      const second = await api.massSend(['o-1', 'o-2', 'o-3'], message, 'campaign-7-batch-1');
      expect(first).toEqual({ msgId: expect.any(Number), duplicate: false });
      expect(second).toEqual({ msgId: first.msgId, duplicate: true });
      expect(wechat.massSends).toEqual([
        {
          clientmsgid: 'campaign-7-batch-1',
          touser: ['o-1', 'o-2', 'o-3'],
          msgtype: 'text',
          msgId: first.msgId,
          body: expect.any(Object),
        },
      ]);
      expect(await api.massStatus(first.msgId)).toEqual({ msgId: first.msgId, status: 'SEND_SUCCESS' });
      const articles = await api.massSend(
        ['o-1', 'o-2'],
        { msgtype: 'mpnews', mpnews: { media_id: 'm-1' }, send_ignore_reprint: 0 },
        'campaign-8',
      );
      expect(articles).toEqual({ msgId: expect.any(Number), msgDataId: expect.any(Number), duplicate: false });
      await expect(api.massSend(['o-1'], message, 'campaign-9')).rejects.toMatchObject({
        errcode: 40130,
        permanent: true,
      });
    });

    it('previews a mass message to one follower', async () => {
      const api = client();
      await api.massPreview({ touser: 'o-1' }, { msgtype: 'text', text: { content: 'draft' } });
      await api.massPreview({ towxname: 'marketing-lead' }, { msgtype: 'mpnews', mpnews: { media_id: 'm-1' } });
      expect(wechat.previews.map(({ touser, towxname, msgtype }) => ({ touser, towxname, msgtype }))).toEqual([
        { touser: 'o-1', towxname: undefined, msgtype: 'text' },
        { touser: undefined, towxname: 'marketing-lead', msgtype: 'mpnews' },
      ]);
    });

    it('gets followers 100 at a time', async () => {
      const openids = Array.from({ length: 250 }, (_, i) => `o-${i}`);
      wechat.setUser('o-0', {
        unionid: 'u-0',
        subscribe_scene: 'ADD_SCENE_QR_CODE',
        qr_scene_str: 'store-0217',
        tagid_list: [2, 101],
      });
      wechat.setUser('o-249', {});
      const users = await client().batchGetUsers(openids);
      expect(
        requestsTo('user/info/batchget').map((request) => (request.body as { user_list: unknown[] }).user_list.length),
      ).toEqual([100, 100, 50]);
      expect(users.map((user) => user.openid)).toEqual(openids);
      expect(users[0]).toMatchObject({
        subscribe: 1,
        openid: 'o-0',
        unionid: 'u-0',
        qr_scene_str: 'store-0217',
        tagid_list: [2, 101],
      });
      expect(users[1]).toEqual({ subscribe: 0, openid: 'o-1' });
      expect(users[249]).toMatchObject({ subscribe: 1, language: 'zh_CN', subscribe_time: expect.any(Number) });
      expect(await client().batchGetUsers([])).toEqual([]);
    });

    it('creates permanent and temporary string-scene QR codes', async () => {
      const api = client();
      const permanent = await api.createQrCode('store-0217', { permanent: true });
      const temporary = await api.createQrCode('event-42', { permanent: false, expireSeconds: 604800 });
      expect(requestsTo('qrcode/create').map((request) => request.body)).toEqual([
        { action_name: 'QR_LIMIT_STR_SCENE', action_info: { scene: { scene_str: 'store-0217' } } },
        { expire_seconds: 604800, action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 'event-42' } } },
      ]);
      expect(permanent).toEqual({
        ticket: wechat.qrCodes[0].ticket,
        url: expect.stringMatching(/^http:\/\/weixin\.qq\.com\/q\//),
        imageUrl: expect.any(String),
      });
      expect(temporary).toMatchObject({ ticket: wechat.qrCodes[1].ticket, expireSeconds: 604800 });
      expect(permanent.imageUrl).toBe(
        `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(permanent.ticket)}`,
      );
      expect(permanent.imageUrl).toMatch(/%3D%3D$/);
    });

    it('makes any other call by path, POST or GET', async () => {
      const api = client();
      await expect(api.call('message/mass/get', { msg_id: 1 })).rejects.toMatchObject({
        errcode: 40097,
        errmsg: 'invalid args',
      });
      await expect(api.call('message/mass/get', { msg_id: 1 }, 'GET')).rejects.toMatchObject({ errcode: 43002 });
      expect(requestsTo('message/mass/get').map(({ method, body }) => ({ method, body }))).toEqual([
        { method: 'POST', body: { msg_id: 1 } },
        { method: 'GET', body: undefined },
      ]);
    });
  });
});

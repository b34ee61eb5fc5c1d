import { FakeWechatApi } from '../support/fake-wechat-api';
import { pushSettings, wechatApiPlugin } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { botOperators, command } from '../support/bot-fixtures';

describe('POST /api/wechat/qrcodes', () => {
  let fake: FakeWechatApi;
  let app: TestApp;

  beforeAll(async () => {
    fake = await FakeWechatApi.start();
    app = await startTestApp({
      plugins: { 'wechat-official-account': wechatApiPlugin(fake) },
      pushes: pushSettings(),
      bot: { operators: botOperators },
    });
  });

  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  const create = (json: unknown, auth?: string | null) =>
    app.request('/api/wechat/qrcodes', { method: 'POST', json, ...(auth === undefined ? {} : { auth }) });

  it('mints permanent and temporary parametric QR codes for a channel scene', async () => {
    const permanent = await create({ scene: 'store-0217', permanent: true });
    expect(permanent.status).toBe(201);
    const code = (await permanent.json()) as {
      ticket: string;
      url: string;
      imageUrl: string;
      expireSeconds?: number;
      scene: string;
    };
    expect(code).toMatchObject({ scene: 'store-0217', permanent: true, account: 'default' });
    expect(code.expireSeconds).toBeUndefined();
    expect(code.imageUrl).toBe(`https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(code.ticket)}`);
    const temporary = (await (await create({ scene: 'poster-double11', expireSeconds: 3600 })).json()) as {
      expireSeconds: number;
    };
    expect(temporary.expireSeconds).toBe(3600);
    expect(fake.qrCodes.map((made) => [made.actionName, made.scene])).toEqual([
      ['QR_LIMIT_STR_SCENE', 'store-0217'],
      ['QR_STR_SCENE', 'poster-double11'],
    ]);
  });

  it('refuses bad input, strangers and accounts without API access, and reports WeChat refusing', async () => {
    expect((await create({ scene: '' })).status).toBe(400);
    expect((await create({ scene: 'x', extra: 1 })).status).toBe(400);
    expect((await create({ scene: 'x' }, null)).status).toBe(401);
    expect((await create({ scene: 'x', account: 'brand-b' })).status).toBe(404);
    fake.inject({ path: 'qrcode/create', errcode: 40053, errmsg: 'invalid action info' });
    const refused = await create({ scene: 'x' });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/40053/);
  });

  it('mints one from the bot for operators (the plugin’s /qrcode), and reports WeChat refusing', async () => {
    const made = await command(app, 'wxid_admin', '/二维码 store-0301 永久');
    expect(made.replies[0]).toMatch(
      /^场景 store-0301 的二维码：https:\/\/mp\.weixin\.qq\.com\/cgi-bin\/showqrcode\?ticket=.+\n（二维码内容：.+）\n永久二维码。$/,
    );
    expect(fake.qrCodes.at(-1)).toMatchObject({ actionName: 'QR_LIMIT_STR_SCENE', scene: 'store-0301' });
    expect(made.images).toEqual([
      {
        url: expect.stringMatching(/^https:\/\/mp\.weixin\.qq\.com\/cgi-bin\/showqrcode\?ticket=/),
        name: 'store-0301.jpg',
      },
    ]);
    expect((await command(app, 'wxid_operator', '/qrcode poster-1')).replies[0]).toMatch(/Valid for 30 days\.$/);
    expect((await command(app, 'wxid_viewer', '/qrcode poster-1')).outcome).toBe('refused');
    fake.inject({ path: 'qrcode/create', errcode: 40053, errmsg: 'invalid action info' });
    expect(await command(app, 'wxid_operator', '/qrcode poster-2')).toMatchObject({
      outcome: 'failed',
      replies: ['WeChat refused: 40053 invalid action info'],
    });
    expect((await command(app, 'wxid_viewer', '/help')).replies[0]).not.toContain('/qrcode');
    expect((await command(app, 'wxid_operator', '/help')).replies[0]).toContain('/qrcode · /二维码');
  });
});

import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { chartFontFamily, chartFontFiles } from '../../src/charts/chart-renderer';
import { command, startBotApp } from '../support/bot-fixtures';
import { FakeWechatApi } from '../support/fake-wechat-api';
import { record } from '../support/push-fixtures';
import type { TestApp } from '../support/test-app';

const day = 86_400_000;

/**
 * Reproduction 9 of issue 19 (`/统计` is text only; nothing shows a trend or a push's effect): over HTTP a chart is a
 * link to its PNG with the data beside it, in Chinese and in English.
 */
describe('charts in answers', () => {
  let fake: FakeWechatApi;
  let app: TestApp;
  const now = new Date('2026-11-25T04:00:00Z');

  beforeEach(async () => {
    fake = await FakeWechatApi.start();
    app = await startBotApp(fake, now, 60);
    // Three follows over the last days, one of them gone again yesterday.
    for (const [openid, daysAgo] of [
      ['oA', 3],
      ['oB', 2],
      ['oC', 2],
    ] as const)
      await record(app, openid, [
        { key: 'follow', type: 'subscribe', at: new Date(now.getTime() - daysAgo * day), attributes: { city: '上海' } },
      ]);
    await record(app, 'oC', [{ key: 'unfollow', type: 'unsubscribe', at: new Date(now.getTime() - day) }]);
  });

  afterEach(async () => {
    await app.stop();
    await fake.close();
  });

  async function png(url: string): Promise<Buffer> {
    const response = await app.request(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    return Buffer.from(await response.arrayBuffer());
  }

  it.each([
    ['wxid_admin', '/统计'],
    ['wxid_operator', '/stats'],
  ])('/stats answers with follower growth, lifecycle and top tags as charts (%s)', async (operator, stats) => {
    const answer = await command(app, operator, stats);
    expect(answer.images.map((image) => image.name)).toEqual(['followers.png', 'lifecycle.png', 'tags.png']);
    const [growth] = answer.images as unknown as {
      url: string;
      data: { days: { day: string; follows: number; unfollows: number }[] };
    }[];
    expect(growth.url).toMatch(/^\/api\/bot\/charts\/[A-Za-z0-9_-]{16}\.png$/);
    expect(growth.data.days).toHaveLength(30);
    expect(growth.data.days.slice(-4)).toEqual([
      { day: '2026-11-22', follows: 1, unfollows: 0 },
      { day: '2026-11-23', follows: 2, unfollows: 0 },
      { day: '2026-11-24', follows: 0, unfollows: 1 },
      { day: '2026-11-25', follows: 0, unfollows: 0 },
    ]);
    const picture = await png(growth.url);
    expect(picture.subarray(1, 4).toString()).toBe('PNG');
    expect(picture.readUInt32BE(16)).toBe(800);
  });

  it('shows a saved segment’s trend, and a push’s funnel once it went out', async () => {
    await command(app, 'wxid_admin', '/人群 save 上海 城市:上海');
    const shown = await command(app, 'wxid_admin', '/人群 查看 上海');
    expect(shown.images).toHaveLength(1);
    expect(shown.images[0]).toMatchObject({
      name: 'segment.png',
      data: { segment: '上海', days: [{ day: '2026-11-25', count: 3 }] },
    });
    const plan = (await command(app, 'wxid_admin', '/推送 上海 周末见')).replies.join('\n');
    const status = await command(app, 'wxid_admin', '/状态');
    // Planned, not sent: nothing to draw yet.
    expect(status.images).toEqual([]);
    await command(app, 'wxid_admin', `/确认 ${/\/确认 (\d{6})/.exec(plan)?.[1]}`);
    await app.persona.pushWorker.drain();
    const sent = await command(app, 'wxid_admin', '/状态');
    expect(sent.images[0]).toMatchObject({ name: 'push-1.png', data: { push: 1, recipients: 3, sent: 2, clicked: 0 } });
    expect((await png(sent.images[0].url)).length).toBeGreaterThan(1000);
  });

  it('refuses a chart link that isn’t one, and needs the admin token', async () => {
    expect((await app.request('/api/bot/charts/nothing-here-at-all.png')).status).toBe(404);
    const answer = await command(app, 'wxid_admin', '/统计');
    const response = await fetch(`${app.url}${answer.images[0].url}`);
    expect(response.status).toBe(401);
  });

  it('draws Chinese with the font the project brings, not the machine’s', () => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 200, height: 60 });
    chart.setOption({ animation: false, textStyle: { fontFamily: chartFontFamily }, title: { text: '粉丝增长' } });
    const svg = chart.renderToSVGString();
    chart.dispose();
    const inked = (fontFiles: readonly string[]) => {
      const { pixels } = new Resvg(svg, {
        background: '#ffffff',
        font: { fontFiles: [...fontFiles], loadSystemFonts: false, defaultFontFamily: chartFontFamily },
      }).render();
      let dark = 0;
      for (let index = 0; index < pixels.length; index += 4) if (pixels[index] < 128) dark += 1;
      return dark;
    };
    // Without a font resvg draws no text at all; with the bundled one, the title's glyphs.
    expect(inked([])).toBe(0);
    expect(inked(chartFontFiles())).toBeGreaterThan(100);
  });
});

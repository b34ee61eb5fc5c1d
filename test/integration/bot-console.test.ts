import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { runConsole } from '../../src/bot/console.transport';
import { botOperators } from '../support/bot-fixtures';
import { record } from '../support/push-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

describe('the bot console', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await startTestApp({ bot: { operators: botOperators } });
    await record(app, 'oFan', [{ key: 'follow', type: 'subscribe', at: new Date(), tags: { add: ['loyal'] } }]);
  });

  afterEach(async () => {
    await app.stop();
  });

  it('answers each line as the operator it acts as, in their language, until exit', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const operator = app.persona.bot.operators.consoleOperator(undefined);
    expect(operator).toMatchObject({ contact: 'wxid_admin', role: 'admin', locale: 'zh-CN' });
    const done = runConsole((message) => app.persona.bot.handle(message), operator as NonNullable<typeof operator>, {
      input,
      output,
      interactive: false,
    });
    input.end('人群 count tag:loyal\n\n/pushes\n/人群 save 忠实 tag:loyal\n/人群 查看 忠实\nexit\n/stats\n');
    await done;
    expect(printed).toContain('Persona 控制台，当前身份：管理员（管理员）');
    expect(printed).toContain('tag:loyal → 1 人');
    expect(printed).toContain('还没有推送。');
    // A chart is written to a file, its path printed.
    const chart = /图表：(\S+\.png)/.exec(printed)?.[1] as string;
    expect(readFileSync(chart).subarray(1, 4).toString()).toBe('PNG');
    // Nothing after exit.
    expect(printed).not.toContain('粉丝：');
    expect(printed.trimEnd().endsWith('再见。')).toBe(true);
    const audit = (await (await app.request('/api/bot/audit')).json()) as {
      entries: { transport: string; command: string }[];
    };
    expect(audit.entries.map((entry) => [entry.transport, entry.command])).toEqual([
      ['console', 'segment show'],
      ['console', 'segment save'],
      ['console', 'pushes'],
      ['console', 'segment count'],
    ]);
  });
});

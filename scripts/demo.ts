/**
 * npm run demo [-- --followers 10000]
 *
 * Persona on a fresh SQLite file (data/demo.sqlite) with a fake WeChat API on loopback (test/support's: pushes go
 * nowhere real), a year of a brand's followers seeded through the real pipeline (scores, tags and lifecycle computed
 * by the default rules), and the bot's console as an admin operator: count a segment, plan a push, confirm it.
 *
 * npm run bench:demo (`--measure`): the same seed, then times the operator's commands through the bot engine (the
 * median of 5 runs each, the first run apart) instead of opening the console; `-- --save-charts docs/images` also
 * writes the charts of /统计 and of the measured push's /状态 there.
 */
import { rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Persona } from '../src/app';
import { runConsole } from '../src/bot/console.transport';
import { loadConfig } from '../src/config/config-loader';
import { projectRoot } from '../src/config/project-root';
import { createLogger } from '../src/logging/logger';
import { FakeWechatApi } from '../test/support/fake-wechat-api';
import { demoFollowers, demoSceneChannels } from './demo-followers';

const followers = Number(process.argv[process.argv.indexOf('--followers') + 1]) || 10_000;
const measure = process.argv.includes('--measure');
const adminToken = 'demo-admin-token-0123456789';
const operator = { contact: 'demo', name: '演示运营', role: 'admin' };

async function main(): Promise<void> {
  const started = Date.now();
  const file = path.join(projectRoot(), 'data', 'demo.sqlite');
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
  const wechat = await FakeWechatApi.start();
  const config = loadConfig({
    env: {
      ADMIN_TOKEN: adminToken,
      WECHAT_APP_ID: 'wx2c2769f8efd9abc2',
      WECHAT_APP_SECRET: 'fake-app-secret',
      WECHAT_TOKEN: 'demo-token',
      // A model for /ask and /draft when the shell has one.
      ...(process.env.OPENAI_API_KEY ? { OPENAI_API_KEY: process.env.OPENAI_API_KEY } : {}),
      ...(process.env.OPENAI_BASE_URL ? { OPENAI_BASE_URL: process.env.OPENAI_BASE_URL } : {}),
      ...(process.env.OPENAI_MODEL ? { OPENAI_MODEL: process.env.OPENAI_MODEL } : {}),
    },
    overrides: {
      server: { host: '127.0.0.1', port: 0 },
      database: { url: `sqlite:${file}` },
      log: { level: 'warn' },
      // Bigger groups than SQLite's default of one: the seed is 64,000 events at once (500 measured fastest).
      ingest: { worker: { entriesPerTransaction: 500, batchSize: 500 } },
      // Measuring runs 42 commands in a row: the per-operator limit would answer most of them.
      bot: { operators: [operator], ...(measure ? { commandsPerMinute: 600 } : {}) },
      // Quiet hours off, so a push tried at night shows its sends rather than waiting for 08:00.
      pushes: { publicUrl: 'http://127.0.0.1:3000', policy: { quietHours: { start: '00:00', end: '00:00' } } },
      plugins: {
        'wechat-official-account': {
          enabled: true,
          api: { baseUrl: wechat.baseUrl },
          sceneChannels: demoSceneChannels,
          accounts: [
            {
              name: 'default',
              appId: 'env:WECHAT_APP_ID',
              appSecret: 'env:WECHAT_APP_SECRET',
              token: 'env:WECHAT_TOKEN',
              massCompanion: 'oDemoOperator',
            },
          ],
        },
      },
    },
  });
  const persona = new Persona(config, createLogger({ level: config.log.level }));
  await persona.start({ wechaty: false });

  const now = new Date();
  process.stdout.write(`Seeding ${followers.toLocaleString('en-US')} followers with a year of interactions…\n`);
  let events = 0;
  let batch: Parameters<Persona['accept']>[1] = [];
  for (const follower of demoFollowers(followers, now)) {
    batch.push(...follower);
    if (batch.length >= 2000) {
      events += batch.length;
      await persona.accept('demo', batch);
      batch = [];
    }
  }
  events += batch.length;
  await persona.accept('demo', batch);
  // Progress on one line in a terminal; every ten seconds otherwise.
  const interactive = Boolean(process.stdout.isTTY);
  for (
    let waiting = await persona.inbox.depth(), polls = 0;
    waiting > 0;
    waiting = await persona.inbox.depth(), polls += 1
  ) {
    const progress = `  ${(events - waiting).toLocaleString('en-US')} of ${events.toLocaleString('en-US')} events on the timelines`;
    if (interactive) process.stdout.write(`\r${progress}`);
    else if (polls % 20 === 0) process.stdout.write(`${progress}\n`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // Time-based tags (lifecycle, activity) as of now, as the nightly recompute keeps them.
  await persona.rulesModule.recompute.run(now, persona.log, new AbortController().signal);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    [
      `${interactive ? '\r' : ''}  ${events.toLocaleString('en-US')} events of ${followers.toLocaleString('en-US')} followers, scored and tagged, in ${seconds} s.`,
      '',
      `The API is at ${persona.url} (Authorization: Bearer ${adminToken}); WeChat is a fake on ${wechat.baseUrl}; quiet hours are off.`,
      'Try:',
      '  /stats',
      '  /人群 count 标签:忠实用户 且 城市:Shanghai',
      '  /segment preview lifecycle:active AND tag:interest/sports',
      '  /push "lifecycle:dormant AND city:Shanghai" 好久不见，{{name|亲}}！本周门店会员日，全场八折。',
      '  /confirm <the code>   then   /status',
      '',
    ].join('\n'),
  );
  const consoleOperator = persona.bot.operators.consoleOperator(operator.contact);
  if (!consoleOperator) throw new Error('the demo operator is missing');
  if (measure) {
    await timeCommands(persona);
    await persona.stop();
    await wechat.close();
    return;
  }
  try {
    await runConsole((message) => persona.bot.handle(message), consoleOperator, {
      input: process.stdin,
      output: process.stdout,
      interactive: Boolean(process.stdin.isTTY),
    });
  } finally {
    await persona.stop();
    await wechat.close();
  }
}

/** Each command's answer time through the bot engine (as any transport sees it): first run, and the median of 5 more. */
async function timeCommands(persona: Persona): Promise<void> {
  const commands = [
    '/人群 count 标签:忠实用户 且 城市:Shanghai',
    '/segment count lifecycle:active AND tag:interest/sports',
    '/segment count event:article_view >= 3 in 30d AND NOT event:purchase',
    '/segment count city in (Shanghai, Hangzhou) AND score >= 20 AND last_seen < 30d',
    '/segment preview lifecycle:dormant AND tag:demographic/female',
    '/人群 count 城市:上梅',
    '/stats',
    '/统计',
    '/whois #5000',
    '/查人 林',
    '/帮助 表达式',
  ];
  process.stdout.write(`\n${'command'.padEnd(80)} first    median of 5\n`);
  for (const text of commands) {
    const times: number[] = [];
    let reply = '';
    for (let run = 0; run < 6; run += 1) {
      const at = process.hrtime.bigint();
      reply = (await persona.bot.handle({ transport: 'console', sender: { id: operator.contact }, text })).replies.join(
        ' ',
      );
      times.push(Number(process.hrtime.bigint() - at) / 1e6);
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    process.stdout.write(
      `${text.padEnd(80)} ${times[0].toFixed(0).padStart(5)} ms ${rest[2].toFixed(0).padStart(5)} ms   ${reply.split('\n')[0].slice(0, 60)}\n`,
    );
  }
  // A push end to end: plan, confirm with the code, delivered by the worker to the fake WeChat.
  const ask = async (text: string) =>
    (await persona.bot.handle({ transport: 'console', sender: { id: operator.contact }, text })).replies.join('\n');
  const began = Date.now();
  const plan = await ask('/push "lifecycle:active AND city:Shanghai" name:demo 本周会员日，全场八折！');
  const code = /(\d{6})/.exec(plan.split('\n').at(-1) ?? '')?.[1];
  if (!code) throw new Error(`no confirmation code in the plan:\n${plan}`);
  const confirmed = await ask(`/confirm ${code}`);
  const id = /#(\d+)/.exec(confirmed)?.[1];
  let status = '';
  for (let tries = 0; tries < 120 && !/：已完成|: done/.test(status); tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    status = await ask(`/status ${id}`);
  }
  process.stdout.write(
    `\n${plan}\n${confirmed}\n${status}\n(planned, confirmed and delivered in ${((Date.now() - began) / 1000).toFixed(1)} s)\n`,
  );
  // `--save-charts <dir>`: the charts of /统计 and of the push's /状态, as files (docs/images holds a set).
  const chartsAt = process.argv.indexOf('--save-charts');
  if (chartsAt > 0) {
    const directory = path.resolve(process.argv[chartsAt + 1] ?? 'docs/images');
    await mkdir(directory, { recursive: true });
    for (const text of ['/统计', `/状态 ${id}`]) {
      const { images } = await persona.bot.handle({ transport: 'console', sender: { id: operator.contact }, text });
      for (const image of images)
        if (image.png)
          await writeFile(path.join(directory, `demo-${image.name.replace(/-\d+\.png$/, '.png')}`), image.png);
    }
    process.stdout.write(`charts written to ${directory}\n`);
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

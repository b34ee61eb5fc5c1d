/**
 * npm run bench:push [-- --followers 1000000 --deliver 100000 --rate 500 --latency 20 --concurrency 64]
 *
 * 1. Seeds a fresh database (DATABASE_URL's server; a temporary SQLite file when unset) with `followers` followers of
 *    the default account: openids, follow state, some with a recent message (an open customer-service window), some
 *    opted out, some sent a push in the last day (at their daily cap). Seeding happens inside the database.
 * 2. Plans a push to every follower and confirms it, timing both (then cancels it, so it sends nothing).
 * 3. Delivers a push to `deliver` followers with open windows (one customer-service message each) against the fake
 *    WeChat API on loopback (answering after `latency` ms), with the worker paced at `rate` sends a second, and prints
 *    the achieved rate over the configured one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Persona } from '../src/app';
import { loadConfig } from '../src/config/config-loader';
import { Database } from '../src/db/database';
import { createLogger } from '../src/logging/logger';
import { FakeWechatApi } from '../test/support/fake-wechat-api';
import { prepareBenchDatabase } from './support/bench-database';
import { argument } from './support/load';

const isMysql =
  (process.env.DATABASE_URL ?? '').startsWith('mysql') || (process.env.DATABASE_URL ?? '').startsWith('mariadb');
const followers = argument('followers', isMysql ? 1_000_000 : 100_000);
const deliver = argument('deliver', isMysql ? 100_000 : 10_000);
const rate = argument('rate', 500);
const latency = argument('latency', 20);
const concurrency = argument('concurrency', 64);
const every = Math.max(1, Math.floor(followers / deliver));

function configFor(url: string, fake: FakeWechatApi, workerEnabled: boolean) {
  return loadConfig({
    env: {
      WECHAT_APP_ID: 'wx2c2769f8efd9abc2',
      WECHAT_APP_SECRET: fake.appSecret,
      WECHAT_TOKEN: 'bench-token',
      ADMIN_TOKEN: 'bench-admin-token-0123456789',
    },
    overrides: {
      database: { url, poolMax: 20 },
      log: { level: 'warn' },
      ingest: { worker: { enabled: false } },
      jobs: { enabled: false },
      webhooks: { enabled: false },
      server: { host: '127.0.0.1', port: 0 },
      rules: { scoring: [], thresholds: [], tags: { rules: [] } },
      pushes: {
        policy: { quietHours: { start: '00:00', end: '00:00' } },
        worker: { enabled: workerEnabled, ratePerSecond: rate, concurrency, batchSize: 1000, pollIntervalMs: 50 },
      },
      plugins: {
        'wechat-official-account': {
          enabled: true,
          api: { baseUrl: fake.baseUrl, retryBaseMs: 10 },
          accounts: [
            {
              name: 'default',
              appId: 'env:WECHAT_APP_ID',
              appSecret: 'env:WECHAT_APP_SECRET',
              token: 'env:WECHAT_TOKEN',
            },
          ],
        },
      },
    },
  });
}

async function seed(db: Database, now: Date): Promise<void> {
  const step = async (what: string, sql: string, values: Record<string, unknown> = {}) => {
    const started = Date.now();
    await db.execute(sql, { now, ...values });
    console.log(`  ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  const concat = (...parts: string[]) =>
    db.isMysql ? `CONCAT(${parts.join(', ')})` : parts.map((part) => `(${part})`).join(' || ');
  await db.execute('CREATE TABLE bench_numbers (n INTEGER PRIMARY KEY)');
  for (let start = 1; start <= followers; start += 10_000) {
    const count = Math.min(10_000, followers - start + 1);
    await db.execute(
      `INSERT INTO bench_numbers (n) VALUES ${Array.from({ length: count }, () => '(?)').join(', ')}`,
      Array.from({ length: count }, (_, i) => start + i),
    );
  }
  await step(
    'profiles',
    'INSERT INTO profiles (id, created_at, updated_at, last_seen_at) SELECT n, :now, :now, :now FROM bench_numbers',
  );
  await step(
    'openids',
    `INSERT INTO identities (profile_id, type, scope, value, created_at) SELECT n, 'openid', 'default', ${concat("'o-'", 'n')}, :now FROM bench_numbers`,
  );
  await step(
    'follows',
    "INSERT INTO subscriptions (profile_id, account, subscribed, subscribed_at, changed_at) SELECT n, 'default', 1, :longAgo, :longAgo FROM bench_numbers",
    {
      longAgo: new Date(now.getTime() - 90 * 86_400_000),
    },
  );
  await step(
    'opt-outs (1 in 100)',
    "INSERT INTO tags (profile_id, name, source, added_at) SELECT n, 'manual/do-not-contact', 'bench', :now FROM bench_numbers WHERE n % 100 = 7",
  );
  await step(
    `recent messages (1 in ${every}: open windows)`,
    `INSERT INTO events (profile_id, type, channel, source, source_key, occurred_at, received_at, properties)
     SELECT n, 'message', 'wechat', 'bench', ${concat("'bench:msg:'", 'n')}, :recent, :recent, '{"account":"default","subtype":"text"}' FROM bench_numbers WHERE n % ${every} = 0`,
    { recent: new Date(now.getTime() - 3_600_000) },
  );
  // The property index of those messages: windows are found by the account they were written to.
  await step(
    'their property index',
    `INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)
     SELECT id, profile_id, type, occurred_at, 'account', '"default"', NULL FROM events WHERE source = 'bench'`,
  );
  await step(
    `deliver tag (1 in ${every})`,
    `INSERT INTO tags (profile_id, name, source, added_at) SELECT n, 'bench/deliver', 'bench', :now FROM bench_numbers WHERE n % ${every} = 0`,
  );
  const earlier = await db.insert(
    `INSERT INTO pushes (name, account, status, expression, content, created_by, created_at, planned_at, confirmed_at, finished_at, recipients)
     VALUES ('earlier', 'default', 'done', 'subscribed', '{"message":{"type":"text","text":"earlier"}}', 'bench', :now, :now, :now, :now, 0)`,
    { now },
  );
  await step(
    'sent yesterday (1 in 20: at the daily cap)',
    `INSERT INTO push_deliveries (push_id, profile_id, status, channel, attempts, available_at, decided_at, finished_at)
     SELECT :earlier, n, 'sent', 'mass', 1, :sentAt, :sentAt, :sentAt FROM bench_numbers WHERE n % 20 = 1`,
    { earlier, sentAt: new Date(now.getTime() - 12 * 3_600_000) },
  );
}

async function main(): Promise<void> {
  const database = await prepareBenchDatabase();
  const fake = await FakeWechatApi.start();
  fake.latencyMs = latency;
  console.log(
    `bench:push on ${database.url.replace(/\/\/[^@]*@/, '//')}: ${followers} followers, deliver ${deliver} at ${rate}/s (fake answers after ${latency} ms)`,
  );
  try {
    const planner = new Persona(configFor(database.url, fake, false), createLogger({ level: 'warn' }));
    await planner.start({ listen: false });
    const now = new Date();
    const seedStarted = Date.now();
    await seed(planner.db, now);
    console.log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

    let started = Date.now();
    const planned = await planner.pushes.plan(
      {
        name: 'everyone',
        expression: 'subscribed',
        content: { message: { type: 'text', text: '{{name|亲爱的粉丝}}，冬季新品上市' } },
      },
      'bench',
    );
    const planSeconds = (Date.now() - started) / 1000;
    started = Date.now();
    const confirmed = await planner.pushes.confirm(planned.id, 'bench');
    const confirmSeconds = (Date.now() - started) / 1000;
    await planner.pushes.cancel(planned.id, 'bench');
    console.log(`plan of ${planned.plan.audience} followers: ${planSeconds.toFixed(1)} s (target < 30 s)`);
    console.log(
      `  channels ${JSON.stringify(planned.plan.channels)}, skipped ${JSON.stringify(planned.plan.skipped)}, deferred ${JSON.stringify(planned.plan.deferred)}`,
    );
    console.log(`confirm (freeze ${confirmed.recipients} recipients): ${confirmSeconds.toFixed(1)} s`);
    await planner.stop();

    const sender = new Persona(configFor(database.url, fake, true), createLogger({ level: 'warn' }));
    await sender.start({ listen: false });
    try {
      const push = await sender.pushes.plan(
        {
          name: 'deliver',
          expression: 'tag:bench/deliver',
          content: { message: { type: 'text', text: '{{name|亲爱的粉丝}}，您的专属优惠' } },
        },
        'bench',
      );
      console.log(`deliver: ${push.plan.audience} recipients, ${JSON.stringify(push.plan.channels)}`);
      if (push.plan.channels.customer_service !== push.plan.audience)
        throw new Error('the delivery push must go out as customer-service messages: the seed is wrong');
      const db = new Database({ url: database.url });
      await sender.pushes.confirm(push.id, 'bench');
      started = Date.now();
      sender.pushWorker.wake();
      for (;;) {
        await sleep(100);
        const [row] = await db.select<{ status: string }>('SELECT status FROM pushes WHERE id = ?', [push.id]);
        if (row.status === 'done') break;
      }
      const seconds = (Date.now() - started) / 1000;
      const [{ n }] = await db.select<{ n: number }>(
        "SELECT COUNT(*) AS n FROM push_deliveries WHERE push_id = ? AND status = 'sent'",
        [push.id],
      );
      await db.close();
      const achieved = Number(n) / seconds;
      console.log(
        `delivered ${n} customer-service messages in ${seconds.toFixed(1)} s (from confirmation to done; the fake received ${fake.customMessages.length})`,
      );
      console.log(
        `achieved ${achieved.toFixed(0)}/s / configured ${rate}/s = ${((achieved / rate) * 100).toFixed(1)}% (target ≥ 95%)`,
      );
    } finally {
      await sender.stop();
    }
  } finally {
    await fake.close();
    if (!process.env.BENCH_KEEP) await database.drop();
    else console.log(`kept ${database.url}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

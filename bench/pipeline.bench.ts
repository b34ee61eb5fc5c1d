/**
 * npm run bench:pipeline [-- --events 20000 --profiles 2000 --workers 2 --per-transaction 100 --no-rules]
 *
 * Events per second through the whole pipeline (inbox → profile → timeline → ledger → tags) on DATABASE_URL (a
 * temporary SQLite file when unset; a mysql:// URL gets a fresh database on that server, dropped afterwards), with the
 * default rules plus 20 scoring and 30 tag rules. The events are written to the inbox first; then `workers` Persona
 * instances on the same database, each in its own process, drain it at once, as instances behind a load balancer
 * would. `--per-transaction` sets how many inbox entries each commits together (default: the configured one).
 * `--no-rules` runs the same events with no scoring or tag rules, the same run's baseline for what the rules cost.
 *
 * With BENCH_RECOMPUTE=<mysql url of a database seeded by bench:segments (BENCH_KEEP=1)> it instead times the
 * nightly rules recompute (scores faded, every rule tag brought up to date) over that database's profiles, at
 * BENCH_RECOMPUTE_AT (an ISO time; default now). The first run on a seeded database brings every profile's rule tags
 * in line (the seed's lifecycle tags are arbitrary); a run for the next night measures the steady state.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Persona } from '../src/app';
import { loadConfig } from '../src/config/config-loader';
import type { PlainObject } from '../src/config/deep-merge';
import type { InboundEvent } from '../src/ingest/inbound-event';
import { createLogger } from '../src/logging/logger';
import { prepareBenchDatabase } from './support/bench-database';
import { argument } from './support/load';

const eventCount = argument('events', 20_000);
const profileCount = argument('profiles', 2_000);
const workers = argument('workers', 2);
/** Inbox entries each worker commits together; 0: the configured default. */
const perTransaction = argument('per-transaction', 0);
const withRules = !process.argv.includes('--no-rules');
const day = 86_400_000;
const topics = ['sports', 'travel', 'food', 'tech', 'fashion', 'finance', 'music', 'games', 'health', 'auto'];

/** 20 scoring and 30 tag rules on top of the defaults, of the kinds brands write. */
function benchRules(): PlainObject {
  const defaults = loadConfig({ env: {} }).rules;
  const scoring = [
    ...defaults.scoring,
    ...topics.map((topic, index) => ({
      id: `read-${topic}`,
      on: 'article_view',
      where: `topic=${topic}`,
      points: 2,
      group: 'intent',
      cap: { max: 2 + (index % 3), per: '1d' },
    })),
    ...topics.slice(0, 5).map((topic) => ({
      id: `share-${topic}`,
      on: 'article_share',
      where: `topic=${topic}`,
      points: 5,
      group: 'engagement',
      cap: { oncePer: 'articleId' },
    })),
    { id: 'purchase', on: 'purchase', points: 20, group: 'intent' },
    { id: 'big-purchase', on: 'purchase', where: 'amount>=50000', points: 30, group: 'intent' },
    { id: 'form', on: 'form_submit', points: 15, group: 'intent', cap: 'once' },
    { id: 'search', on: 'search', points: 1, group: 'engagement', cap: { max: 5, per: '7d' } },
    { id: 'menu', on: 'menu_click', points: 1, group: 'engagement', cap: { max: 3, per: '1d' } },
  ];
  const tagRules = [
    ...defaults.tags.rules,
    ...topics.map((topic) => ({
      tag: `behaviour/fan-${topic}`,
      when: `event:article_view[topic=${topic}] >= 6 in 90d`,
    })),
    ...topics.map((topic) => ({
      tag: `behaviour/sharer-${topic}`,
      when: `event:article_share[topic=${topic}] in 90d`,
    })),
    { tag: 'value/buyer', when: 'event:purchase in 365d' },
    { tag: 'value/big-spender', when: 'event:purchase[amount>=50000] >= 2 in 365d' },
    { tag: 'value/high-intent', when: 'score.intent >= 40' },
    { tag: 'behaviour/searcher', when: 'event:search >= 3 in 30d' },
    { tag: 'behaviour/menu-user', when: 'event:menu_click >= 5 in 30d' },
    { tag: 'behaviour/engaged', when: 'score.engagement >= 50 AND last_seen <= 14d' },
    { tag: 'value/lead', when: 'event:form_submit AND NOT event:purchase in 365d' },
    { tag: 'behaviour/silent-follower', when: 'subscribed AND last_seen > 14d' },
    { tag: 'value/vip', when: 'tag:loyal AND event:purchase in 90d' },
    { tag: 'behaviour/reader', when: 'event:article_view >= 10 in 30d' },
  ];
  return { ...defaults, scoring, tags: { ...defaults.tags, rules: tagRules } } as unknown as PlainObject;
}

function events(now: Date): InboundEvent[] {
  let state = 7;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const kinds = [
    'article_view',
    'article_view',
    'article_view',
    'article_view',
    'page_view',
    'article_favorite',
    'article_share',
    'search',
    'menu_click',
    'purchase',
    'form_submit',
    'qr_scan',
    'subscribe',
  ];
  return Array.from({ length: eventCount }, (_, index) => {
    const type = kinds[Math.floor(next() * kinds.length)];
    const person = Math.floor(next() ** 2 * profileCount);
    return {
      key: `bench-${index}`,
      type,
      channel: type === 'page_view' ? 'website' : 'wechat',
      occurredAt: new Date(now.getTime() - Math.floor(next() * 60 * day)),
      identities: [{ type: 'openid' as const, scope: 'default', value: `oBench${person}` }],
      properties: {
        articleId: `a${Math.floor(next() * 500)}`,
        topic: topics[Math.floor(next() * topics.length)],
        amount: Math.floor(next() * 100_000),
        scene: `store-${person % 7}`,
        account: 'default',
        query: 'shoes',
      },
    };
  });
}

function instanceConfig(url: string, migrate: boolean) {
  return loadConfig({
    env: {},
    overrides: {
      server: { host: '127.0.0.1', port: 0 },
      database: { url, migrateOnStart: migrate },
      log: { level: 'warn' },
      ingest: {
        worker: {
          enabled: false,
          ...(perTransaction > 0
            ? { entriesPerTransaction: perTransaction, batchSize: Math.max(100, perTransaction) }
            : {}),
        },
      },
      jobs: { enabled: false },
      webhooks: { enabled: false },
      rules: withRules ? benchRules() : { scoring: [], thresholds: [], tags: { rules: [] } },
    },
  });
}

/** The next message from a child process; its exit before one is an error. */
function nextMessage(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`a worker instance exited (${code}) before answering`));
    child.once('exit', exited);
    child.once('message', (message) => {
      child.off('exit', exited);
      resolve(message);
    });
  });
}

/**
 * The parent writes the events to the inbox; then `workers` Persona instances, each in its own process as instances
 * behind a load balancer run, drain it at once. The time from their start signal to the last one's end is measured.
 */
async function drainRate(url: string): Promise<number> {
  const log = createLogger({ level: 'warn' });
  const seeder = new Persona(instanceConfig(url, true), log);
  await seeder.start({ listen: false });
  const children: ChildProcess[] = [];
  try {
    const all = events(new Date());
    for (let start = 0; start < all.length; start += 1000)
      await seeder.inbox.write('bench', all.slice(start, start + 1000));
    for (let index = 0; index < workers; index += 1) {
      children.push(
        fork(process.argv[1], process.argv.slice(2), {
          execArgv: process.execArgv,
          env: { ...process.env, BENCH_INSTANCE_DATABASE: url },
        }),
      );
    }
    await Promise.all(children.map(nextMessage));
    const began = process.hrtime.bigint();
    await Promise.all(
      children.map((child) => {
        const drained = nextMessage(child);
        child.send('drain');
        return drained;
      }),
    );
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    const [{ n }] = await seeder.db.select<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE source = 'bench'");
    if (Number(n) !== eventCount) throw new Error(`expected ${eventCount} events on timelines, found ${n}`);
    return eventCount / seconds;
  } finally {
    for (const child of children) child.kill();
    await seeder.stop();
  }
}

/** A worker instance (a child of `drainRate`): starts, says so, drains the inbox when told, says so. */
async function instance(url: string): Promise<void> {
  const persona = new Persona(instanceConfig(url, false), createLogger({ level: 'warn' }));
  await persona.start({ listen: false });
  const told = new Promise((resolve) => process.once('message', resolve));
  process.send?.('ready');
  await told;
  await persona.worker.drain();
  process.send?.('drained');
  await persona.stop();
  process.disconnect?.();
}

async function recompute(url: string): Promise<void> {
  const log = createLogger({ level: 'info' });
  const persona = new Persona(
    loadConfig({
      env: {},
      overrides: {
        database: { url },
        log: { level: 'info' },
        ingest: { worker: { enabled: false } },
        jobs: { enabled: false },
        webhooks: { enabled: false },
      },
    }),
    log,
  );
  await persona.start({ listen: false });
  try {
    const [{ n }] = await persona.db.select<{ n: number }>('SELECT COUNT(*) AS n FROM profiles');
    const began = process.hrtime.bigint();
    // BENCH_RECOMPUTE_AT: the tick to recompute for, e.g. the next night after a first run.
    const at = process.env.BENCH_RECOMPUTE_AT ? new Date(process.env.BENCH_RECOMPUTE_AT) : new Date();
    const outcome = await persona.rulesModule.recompute.run(at, log);
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    console.log(`nightly recompute over ${Number(n)} profiles: ${seconds.toFixed(1)} s`, outcome);
  } finally {
    await persona.stop();
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_INSTANCE_DATABASE) {
    await instance(process.env.BENCH_INSTANCE_DATABASE);
    return;
  }
  if (process.env.BENCH_RECOMPUTE) {
    await recompute(process.env.BENCH_RECOMPUTE);
    return;
  }
  const database = await prepareBenchDatabase();
  try {
    console.log(
      `Persona pipeline benchmark: ${eventCount} events of ${profileCount} people, ${workers} worker instance(s), ${withRules ? 'default rules + 20 scoring and 30 tag rules' : 'no rules'}, ${database.url.split(':')[0]}`,
    );
    const rate = await drainRate(database.url);
    console.log(`  ${rate.toFixed(0)} events/s`);
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

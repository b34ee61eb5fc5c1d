/**
 * npm run bench:segments [-- --profiles 1000000 --events 20 --runs 5 --seed-only]
 *
 * Seeds a fresh database (DATABASE_URL's server; a temporary SQLite file when unset) with `profiles` profiles of a
 * realistic shape — about 8 tags each from 200 with power-law popularity plus one lifecycle tag, 10 cities, scores
 * 0–150 in two groups, phones and unionids for some, follow state, `events` events each spread evenly over a year — then counts 8
 * expressions covering every construct of the language, each `runs` times, and prints the median next to the
 * median of a hand-written SQL query answering the same question in the same run (and checks both counts agree).
 * Seeding happens inside the database (INSERT … SELECT over a numbers table), so it takes minutes, not hours.
 */
import { Database } from '../src/db/database';
import { createMigrator } from '../src/db/migrator';
import { parseSegment } from '../src/segments/segment-parser';
import { compileSegment, liveProfiles } from '../src/segments/segment-sql-compiler';
import { prepareBenchDatabase } from './support/bench-database';
import { argument } from './support/load';

const profiles = argument('profiles', 1_000_000);
const eventsEach = argument('events', 20);
const runs = argument('runs', 5);
const now = new Date('2026-11-23T12:00:00.000Z');
const cities = [
  'Shanghai',
  'Beijing',
  'Hangzhou',
  'Shenzhen',
  'Guangzhou',
  'Chengdu',
  'Nanjing',
  'Wuhan',
  'Suzhou',
  "Xi'an",
];
const topics = ['sports', 'fashion', 'tech', 'food', 'travel', 'finance'];

/** Expressions covering every construct, each with the SQL a person would write for the same count. */
const cases: { expression: string; handWritten: (d: Dialect) => string }[] = [
  {
    expression: 'tag:interest/sports',
    handWritten: () =>
      "SELECT COUNT(*) AS n FROM tags t JOIN profiles p ON p.id = t.profile_id WHERE t.name = 'interest/sports' AND p.merged_into IS NULL AND p.erased_at IS NULL",
  },
  {
    expression: 'lifecycle:dormant AND city in (Shanghai, Hangzhou)',
    handWritten: () =>
      `SELECT COUNT(*) AS n FROM profiles p JOIN tags t ON t.profile_id = p.id AND t.name = 'lifecycle/dormant'
        JOIN attributes a ON a.profile_id = p.id AND a.name = 'city' AND a.value_key IN ('"Shanghai"', '"Hangzhou"') WHERE p.merged_into IS NULL AND p.erased_at IS NULL`,
  },
  {
    expression: 'score >= 90',
    handWritten: () =>
      'SELECT COUNT(*) AS n FROM (SELECT s.profile_id FROM scores s GROUP BY s.profile_id HAVING SUM(s.points) >= 90) x JOIN profiles p ON p.id = x.profile_id WHERE p.merged_into IS NULL AND p.erased_at IS NULL',
  },
  {
    expression: 'event:article_view[topic=sports] >= 3 in 30d',
    handWritten: (d) =>
      `SELECT COUNT(*) AS n FROM (SELECT e.profile_id FROM event_properties e WHERE e.type = 'article_view' AND e.name = 'topic'
         AND e.value_key = '"sports"' AND e.occurred_at >= ${d.time(30)} GROUP BY e.profile_id HAVING COUNT(*) >= 3) x
         JOIN profiles p ON p.id = x.profile_id WHERE p.merged_into IS NULL AND p.erased_at IS NULL`,
  },
  {
    expression: 'event:purchase[amount>=10000] in 90d AND has:phone',
    handWritten: (d) =>
      `SELECT COUNT(*) AS n FROM profiles p WHERE p.merged_into IS NULL AND p.erased_at IS NULL
         AND p.id IN (SELECT e.profile_id FROM event_properties e WHERE e.type = 'purchase' AND e.name = 'amount' AND e.value_number >= 10000 AND e.occurred_at >= ${d.time(90)})
         AND p.id IN (SELECT i.profile_id FROM identities i WHERE i.type = 'phone')`,
  },
  {
    expression: 'last_seen > 30d AND subscribed AND NOT tag:loyal',
    handWritten: (d) =>
      `SELECT COUNT(*) AS n FROM profiles p JOIN subscriptions s ON s.profile_id = p.id AND s.account = 'default' AND s.subscribed = 1
        WHERE p.merged_into IS NULL AND p.erased_at IS NULL AND (p.last_seen_at IS NULL OR p.last_seen_at < ${d.time(30)})
          AND p.id NOT IN (SELECT t.profile_id FROM tags t WHERE t.name = 'loyal')`,
  },
  {
    expression: '(tag:loyal OR score.engagement > 120) AND age >= 30 AND attr.gender = female',
    handWritten: (d) =>
      `SELECT COUNT(*) AS n FROM profiles p
        JOIN attributes b ON b.profile_id = p.id AND b.name = 'birthday' AND b.value_key <= '"${d.birthdayCutoff(30)}"'
        JOIN attributes g ON g.profile_id = p.id AND g.name = 'gender' AND g.value_key = '"female"'
        WHERE p.merged_into IS NULL AND p.erased_at IS NULL
          AND (p.id IN (SELECT t.profile_id FROM tags t WHERE t.name = 'loyal') OR p.id IN (SELECT s.profile_id FROM scores s WHERE s.score_group = 'engagement' AND s.points > 120))`,
  },
  {
    expression: 'segment:shanghai-fans AND NOT event:page_view in 7d AND source:store-0217',
    handWritten: (d) =>
      `SELECT COUNT(*) AS n FROM profiles p JOIN attributes a ON a.profile_id = p.id AND a.name = 'city' AND a.value_key = '"Shanghai"'
        JOIN tags t ON t.profile_id = p.id AND t.name = 'interest/sports'
        WHERE p.merged_into IS NULL AND p.erased_at IS NULL AND p.first_touch_source = 'store-0217'
          AND p.id NOT IN (SELECT e.profile_id FROM events e WHERE e.type = 'page_view' AND e.occurred_at >= ${d.time(7)})`,
  },
];
const saved: Record<string, string> = { 'shanghai-fans': 'city:Shanghai AND tag:interest/sports' };

interface Dialect {
  /** SQL for `now` minus `days` days, as the dialect stores times. */
  time(days: number): string;
  birthdayCutoff(years: number): string;
}

function dialectOf(db: Database): Dialect {
  const literal = (date: Date) => `'${db.formatTime(date)}'`;
  return {
    time: (days) => literal(new Date(now.getTime() - days * 86_400_000)),
    birthdayCutoff: (years) => `${now.getUTCFullYear() - years}${now.toISOString().slice(4, 10)}`,
  };
}

async function seed(db: Database): Promise<void> {
  const started = Date.now();
  const step = async (what: string, sql: string, values: Record<string, unknown> = {}) => {
    const t0 = Date.now();
    await db.execute(sql, { now, ...values });
    console.log(`  ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  const ignore = db.insertIgnoreInto;
  // Days before `now`, as each dialect stores a time.
  const daysAgo = (expr: string) =>
    db.isMysql
      ? `DATE_SUB(:now, INTERVAL (${expr}) DAY)`
      : `strftime('%Y-%m-%d %H:%M:%f +00:00', :nowText, '-' || (${expr}) || ' days')`;
  // SQLite's || binds tighter than %: each part gets its own brackets.
  const concat = (...parts: string[]) =>
    db.isMysql ? `CONCAT(${parts.join(', ')})` : parts.map((part) => `(${part})`).join(' || ');
  const nowText = now.toISOString().replace('T', ' ').replace('Z', '');

  await db.execute('CREATE TABLE bench_numbers (n INTEGER PRIMARY KEY)');
  for (let start = 1; start <= profiles; start += 10_000) {
    const count = Math.min(10_000, profiles - start + 1);
    await db.execute(
      `INSERT INTO bench_numbers (n) VALUES ${Array.from({ length: count }, () => '(?)').join(', ')}`,
      Array.from({ length: count }, (_, i) => start + i),
    );
  }
  // Tag popularity by power law: bucket (0–999) → one of 200 tags, the first ones far more often.
  await db.execute('CREATE TABLE bench_tag_dist (bucket INTEGER PRIMARY KEY, tag VARCHAR(64) NOT NULL)');
  const tagNames = [
    'interest/sports',
    'loyal',
    ...topics.slice(1).map((topic) => `interest/${topic}`),
    ...Array.from({ length: 193 }, (_, i) => `behaviour/t${i}`),
  ];
  const weights = tagNames.map((_, i) => 1 / (i + 1) ** 0.9);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const buckets: string[] = [];
  weights.forEach((weight, i) =>
    buckets.push(...Array.from({ length: Math.round((weight / total) * 1000) }, () => tagNames[i])),
  );
  while (buckets.length < 1000) buckets.push(tagNames[tagNames.length - 1]);
  await db.execute(
    `INSERT INTO bench_tag_dist (bucket, tag) VALUES ${buckets
      .slice(0, 1000)
      .map(() => '(?, ?)')
      .join(', ')}`,
    buckets.slice(0, 1000).flatMap((tag, i) => [i, tag]),
  );
  console.log(`  numbers and tag distribution: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const values = { nowText };
  await step(
    'profiles',
    `INSERT INTO profiles (id, created_at, updated_at, last_seen_at, first_touch_source, first_touch_channel)
     SELECT n, :now, :now, ${daysAgo('(n * 7919) % 200')},
       CASE n % 4 WHEN 0 THEN 'store-0217' WHEN 1 THEN 'poster-double11' WHEN 2 THEN 'website' ELSE 'unknown' END,
       CASE n % 4 WHEN 0 THEN 'offline-store' WHEN 1 THEN 'offline-poster' WHEN 2 THEN 'website' ELSE NULL END
     FROM bench_numbers`,
    values,
  );
  for (let k = 0; k < 8; k += 1) {
    await step(
      `tags, round ${k + 1} of 8`,
      `${ignore} tags (profile_id, name, source, added_at) SELECT b.n, d.tag, 'bench', :now FROM bench_numbers b JOIN bench_tag_dist d ON d.bucket = (b.n * 7919 + ${k * 104_729}) % 1000`,
    );
  }
  await step(
    'lifecycle tags',
    `INSERT INTO tags (profile_id, name, source, added_at) SELECT n,
       CASE (n * 13) % 10 WHEN 0 THEN 'lifecycle/new' WHEN 1 THEN 'lifecycle/active' WHEN 2 THEN 'lifecycle/active' WHEN 3 THEN 'lifecycle/active'
         WHEN 4 THEN 'lifecycle/dormant' WHEN 5 THEN 'lifecycle/dormant' WHEN 6 THEN 'lifecycle/dormant' WHEN 7 THEN 'lifecycle/churned' ELSE 'lifecycle/potential' END,
       'bench', :now FROM bench_numbers`,
  );
  const cityCase = `CASE (n * 31) % 13 ${cities.map((city, i) => `WHEN ${i} THEN '${JSON.stringify(city).replace(/'/g, "''")}'`).join(' ')} ELSE '"Shanghai"' END`;
  await step(
    'attribute city',
    `INSERT INTO attributes (profile_id, name, value, source, updated_at) SELECT n, 'city', ${cityCase}, 'bench', :now FROM bench_numbers`,
  );
  await step(
    'attribute gender',
    `INSERT INTO attributes (profile_id, name, value, source, updated_at) SELECT n, 'gender', CASE n % 3 WHEN 0 THEN '"female"' WHEN 1 THEN '"male"' ELSE '"unknown"' END, 'bench', :now FROM bench_numbers`,
  );
  await step(
    'attribute birthday',
    `INSERT INTO attributes (profile_id, name, value, source, updated_at)
     SELECT n, 'birthday', ${concat("'\"'", db.isMysql ? "DATE_FORMAT(DATE_SUB('2008-01-01', INTERVAL (n * 17) % 18000 DAY), '%Y-%m-%d')" : "date('2008-01-01', '-' || ((n * 17) % 18000) || ' days')", "'\"'")}, 'bench', :now
     FROM bench_numbers WHERE n % 2 = 0`,
  );
  await step(
    'scores',
    `INSERT INTO scores (profile_id, score_group, points, updated_at) SELECT n, 'engagement', (n * 37) % 151, :now FROM bench_numbers`,
  );
  await step(
    'scores, intent',
    `INSERT INTO scores (profile_id, score_group, points, updated_at) SELECT n, 'intent', (n * 53) % 41, :now FROM bench_numbers WHERE n % 3 = 0`,
  );
  await step(
    'phones',
    `INSERT INTO identities (profile_id, type, scope, value, created_at)
     SELECT n, 'phone', '', ${db.isMysql ? "CONCAT('+86139', LPAD(n, 8, '0'))" : "printf('+86139%08d', n)"}, :now FROM bench_numbers WHERE n % 5 < 3`,
  );
  await step(
    'unionids',
    `INSERT INTO identities (profile_id, type, scope, value, created_at) SELECT n, 'unionid', '', ${concat("'u-'", 'n')}, :now FROM bench_numbers WHERE n % 2 = 1`,
  );
  await step(
    'subscriptions',
    `INSERT INTO subscriptions (profile_id, account, subscribed, changed_at) SELECT n, 'default', CASE WHEN n % 5 = 0 THEN 0 ELSE 1 END, :now FROM bench_numbers`,
  );
  // Activity is skewed: 8 in 20 profiles have a fifth of the mean, 6 in 20 two thirds, 4 in 20 1.7 times, 2 in 20
  // 3.8 times (mean ≈ `eventsEach`), each spread evenly over the year.
  const tier = '(b.n * 7919) % 1000003 % 20';
  const perTier = [0.2, 0.7, 1.7, 3.8].map((share) => Math.max(1, Math.round(eventsEach * share)));
  const eventsOf = `CASE WHEN ${tier} < 8 THEN ${perTier[0]} WHEN ${tier} < 14 THEN ${perTier[1]} WHEN ${tier} < 18 THEN ${perTier[2]} ELSE ${perTier[3]} END`;
  const rounds = perTier[3];
  // Sports is read most: residues 0–2 of 8, the other topics one each.
  const topicCase = (k: number) =>
    `CASE (b.n + ${k}) % 8 WHEN 0 THEN 'sports' WHEN 1 THEN 'sports' WHEN 2 THEN 'sports' ${topics
      .slice(1)
      .map((topic, i) => `WHEN ${i + 3} THEN '${topic}'`)
      .join(' ')} END`;
  for (let k = 0; k < rounds; k += 1) {
    const type = `CASE (b.n * 7 + ${k * 3}) % 20 WHEN 0 THEN 'purchase' WHEN 1 THEN 'article_favorite' WHEN 2 THEN 'qr_scan'
       WHEN 3 THEN 'page_view' WHEN 4 THEN 'page_view' WHEN 5 THEN 'page_view' WHEN 6 THEN 'page_view' WHEN 7 THEN 'message' ELSE 'article_view' END`;
    const properties = `CASE (b.n * 7 + ${k * 3}) % 20 WHEN 0 THEN ${concat('\'{"amount":\'', `(b.n * ${k + 1}) % 50000`, "'}'")}
       WHEN 3 THEN '{}' WHEN 4 THEN '{}' WHEN 5 THEN '{}' WHEN 6 THEN '{}' WHEN 7 THEN '{}' ELSE ${concat('\'{"topic":"\'', topicCase(k), "'\"}'")} END`;
    await step(
      `events, round ${k + 1} of ${rounds}`,
      `INSERT INTO events (profile_id, type, channel, source, source_key, occurred_at, received_at, properties)
       SELECT b.n, ${type}, 'website', 'bench', ${concat("'b:'", 'b.n', `':${k}'`)}, ${daysAgo(`(b.n * 31 + ${k * 97}) % 365`)}, :now, ${properties}
       FROM bench_numbers b WHERE ${eventsOf} > ${k}`,
      values,
    );
  }
  // The event property index, as the timeline writes it (src/timeline/event-property-index.ts): strings as JSON text.
  await step(
    'event property index, topic',
    `INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)
     SELECT id, profile_id, type, occurred_at, 'topic', ${db.isMysql ? "JSON_EXTRACT(properties, '$.topic')" : "json_quote(json_extract(properties, '$.topic'))"}, NULL
     FROM events WHERE ${db.isMysql ? "JSON_EXTRACT(properties, '$.topic')" : "json_extract(properties, '$.topic')"} IS NOT NULL`,
  );
  await step(
    'event property index, amount',
    `INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)
     SELECT id, profile_id, type, occurred_at, 'amount', NULL, ${db.isMysql ? "JSON_EXTRACT(properties, '$.amount')" : "json_extract(properties, '$.amount')"}
     FROM events WHERE ${db.isMysql ? "JSON_EXTRACT(properties, '$.amount')" : "json_extract(properties, '$.amount')"} IS NOT NULL`,
  );
  await db.execute('DROP TABLE bench_tag_dist');
  await db.execute('DROP TABLE bench_numbers');
  if (db.isMysql)
    await db.execute(
      'ANALYZE TABLE profiles, tags, attributes, scores, identities, subscriptions, events, event_properties',
    );
  else await db.execute('ANALYZE');
  console.log(`seeded ${profiles} profiles in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Counts over a million profiles are only as fast as the data is in memory: print what fits. */
async function describeMemory(db: Database): Promise<void> {
  const [{ pool }] = await db.select<{ pool: number }>('SELECT @@innodb_buffer_pool_size AS pool');
  const [{ size }] = await db.select<{ size: number }>(
    'SELECT SUM(data_length + index_length) AS size FROM information_schema.tables WHERE table_schema = DATABASE()',
  );
  const gb = (bytes: number) => `${(Number(bytes) / 2 ** 30).toFixed(1)} GB`;
  console.log(`InnoDB buffer pool ${gb(pool)}, tables and indexes ${gb(size)}`);
  if (Number(pool) < Number(size))
    console.log('  the data does not fit the buffer pool: counts will read from disk (raise innodb_buffer_pool_size)');
}

async function median(times: number, task: () => Promise<number>): Promise<{ ms: number; count: number }> {
  const samples: number[] = [];
  let count = 0;
  for (let i = 0; i < times; i += 1) {
    const t0 = process.hrtime.bigint();
    count = await task();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)], count };
}

async function main(): Promise<void> {
  // BENCH_DATABASE=<url> counts again on a database an earlier run seeded and kept (BENCH_KEEP=1), without seeding.
  const reused = process.env.BENCH_DATABASE;
  const database = reused ? { url: reused, drop: async () => undefined } : await prepareBenchDatabase();
  const db = new Database({ url: database.url });
  try {
    console.log(
      `Persona segment benchmark: ${reused ? 'seeded earlier' : `${profiles} profiles, ${eventsEach} events each`}, median of ${runs}, database ${database.url.replace(/:[^:@/]*@/, ':***@')}`,
    );
    await createMigrator(db).up();
    if (!reused) await seed(db);
    if (process.argv.includes('--seed-only')) return;
    if (db.isMysql) await describeMemory(db);
    const dialect = dialectOf(db);
    const segments = async (name: string) => (saved[name] ? parseSegment(saved[name]) : undefined);
    const rows = [];
    for (const { expression, handWritten } of cases) {
      const compiled = await compileSegment(parseSegment(expression), { dialect: db.dialect, now, segments });
      const persona = await median(runs, async () => {
        const [row] = await db.select<{ n: number }>(
          `SELECT COUNT(*) AS n FROM profiles p WHERE ${liveProfiles} AND ${compiled.sql}`,
          compiled.values,
        );
        return Number(row.n);
      });
      const manual = await median(runs, async () =>
        Number((await db.select<{ n: number }>(handWritten(dialect)))[0].n),
      );
      rows.push({
        expression,
        count: persona.count,
        'persona ms': persona.ms.toFixed(0),
        'hand-written ms': manual.ms.toFixed(0),
        ratio: (persona.ms / manual.ms).toFixed(2),
        agree: persona.count === manual.count ? 'yes' : `NO (${manual.count})`,
      });
    }
    console.table(rows);
    if (rows.some((row) => row.agree !== 'yes')) process.exitCode = 1;
  } finally {
    await db.close();
    // BENCH_KEEP=1 leaves the seeded database for trying queries by hand or counting again (BENCH_DATABASE).
    if (process.env.BENCH_KEEP || reused) console.log(`kept ${database.url}`);
    else await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

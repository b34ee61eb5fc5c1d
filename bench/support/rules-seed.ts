import type { Database } from '../../src/db/database';

const topics = ['sports', 'travel', 'food', 'tech', 'fashion', 'finance', 'health', 'parenting'];

/**
 * Seeds `profiles` followers of the default account with about `eventsEach` interactions each (skewed: 8 in 20 have a
 * fifth of the mean, 2 in 20 nearly four times it), spread over a year: a website entry or a follow first, then
 * article reads (one a day at most, on topics), favourites, QR scans, purchases, page views and messages; with the
 * event property index, the ledger the default scoring rules give those events, the scores it sums to (faded to
 * `now`) and `loyal` where the score is 90 or more. Everything happens inside the database (INSERT … SELECT over a
 * numbers table), so 100,000 profiles take a minute or two rather than the pipeline's half hour.
 */
export async function seedInteractions(
  db: Database,
  profiles: number,
  eventsEach: number,
  now: Date,
  log: (line: string) => void,
): Promise<number> {
  const step = async (what: string, sql: string, values: Record<string, unknown> = {}) => {
    const started = performance.now();
    await db.execute(sql, { now, nowText, ...values });
    log(`  ${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  const nowText = now.toISOString().replace('T', ' ').replace('Z', '');
  const daysAgo = (expr: string) =>
    db.isMysql
      ? `DATE_SUB(:now, INTERVAL (${expr}) DAY)`
      : `strftime('%Y-%m-%d %H:%M:%f +00:00', :nowText, '-' || (${expr}) || ' days')`;
  // SQLite's || binds tighter than %: each part gets its own brackets.
  const concat = (...parts: string[]) =>
    db.isMysql ? `CONCAT(${parts.join(', ')})` : parts.map((part) => `(${part})`).join(' || ');
  const json = (path: string) =>
    db.isMysql ? `JSON_EXTRACT(properties, '$.${path}')` : `json_quote(json_extract(properties, '$.${path}'))`;
  const number = (path: string) =>
    db.isMysql ? `JSON_EXTRACT(properties, '$.${path}')` : `json_extract(properties, '$.${path}')`;
  // The calendar day in Asia/Shanghai (UTC+8 all year), as the scoring caps count days.
  const shanghaiDay = db.isMysql
    ? "DATEDIFF(DATE_ADD(occurred_at, INTERVAL 8 HOUR), '1970-01-01')"
    : "CAST(julianday(substr(occurred_at, 1, 23), '+8 hours') - 2440587.5 AS INTEGER)";

  await db.execute('CREATE TABLE bench_numbers (n INTEGER PRIMARY KEY)');
  for (let start = 1; start <= profiles; start += 10_000) {
    const count = Math.min(10_000, profiles - start + 1);
    await db.execute(
      `INSERT INTO bench_numbers (n) VALUES ${Array.from({ length: count }, () => '(?)').join(', ')}`,
      Array.from({ length: count }, (_, i) => start + i),
    );
  }
  await step(
    'profiles',
    `INSERT INTO profiles (id, created_at, updated_at, last_seen_at) SELECT n, :now, :now, ${daysAgo('(n * 7919) % 120')} FROM bench_numbers`,
  );
  await step(
    'openids',
    `INSERT INTO identities (profile_id, type, scope, value, created_at) SELECT n, 'openid', 'default', ${concat("'o-seed-'", 'n')}, :now FROM bench_numbers`,
  );
  await step(
    'follows',
    "INSERT INTO subscriptions (profile_id, account, subscribed, changed_at) SELECT n, 'default', CASE WHEN n % 5 = 0 THEN 0 ELSE 1 END, :now FROM bench_numbers",
  );

  const tier = '(b.n * 7919) % 1000003 % 20';
  const perTier = [0.2, 0.7, 1.7, 3.8].map((share) => Math.max(1, Math.round(eventsEach * share)));
  const eventsOf = `CASE WHEN ${tier} < 8 THEN ${perTier[0]} WHEN ${tier} < 14 THEN ${perTier[1]} WHEN ${tier} < 18 THEN ${perTier[2]} ELSE ${perTier[3]} END`;
  const topic = (k: number) =>
    `CASE (b.n + ${k}) % ${topics.length} ${topics.map((name, i) => `WHEN ${i} THEN '${name}'`).join(' ')} END`;
  for (let k = 0; k < perTier[3]; k += 1) {
    // Round 0 is how each person arrived; later rounds are interactions. A person's rounds fall on different days
    // (97 k mod 365 differs for every k < 365), so one read a day stays within every daily cap.
    const kind = `(b.n * 7 + ${k * 3}) % 20`;
    const type =
      k === 0
        ? "CASE WHEN b.n % 10 < 7 THEN 'page_view' ELSE 'subscribe' END"
        : `CASE ${kind} WHEN 0 THEN 'purchase' WHEN 1 THEN 'article_favorite' WHEN 2 THEN 'qr_scan' WHEN 3 THEN 'page_view' WHEN 4 THEN 'message' ELSE 'article_view' END`;
    const channel = k === 0 ? "CASE WHEN b.n % 10 < 7 THEN 'website' ELSE 'wechat' END" : "'wechat'";
    const properties =
      k === 0
        ? `CASE WHEN b.n % 10 < 7 THEN '{"url":"/"}' ELSE '{"account":"default"}' END`
        : `CASE ${kind} WHEN 0 THEN ${concat('\'{"amount":\'', `(b.n * ${k + 1}) % 60000`, "'}'")}
             WHEN 1 THEN '{"articleId":"a${k}"}' WHEN 2 THEN '{"scene":"store-${k % 12}-${k}"}' WHEN 3 THEN '{"url":"/p${k % 5}"}'
             WHEN 4 THEN '{"account":"default","subtype":"text"}' ELSE ${concat('\'{"articleId":"r${k}","topic":"\'', topic(k), "'\"}'")} END`;
    await step(
      `events, round ${k + 1} of ${perTier[3]}`,
      `INSERT INTO events (profile_id, type, channel, source, source_key, occurred_at, received_at, properties)
       SELECT b.n, ${type}, ${channel}, 'bench', ${concat("'seed:'", 'b.n', `':${k}'`)}, ${daysAgo(`(b.n * 31 + ${k * 97}) % 365`)}, :now, ${properties}
       FROM bench_numbers b WHERE ${eventsOf} > ${k}`,
    );
  }
  for (const name of ['topic', 'articleId', 'scene', 'url', 'account', 'subtype']) {
    await step(
      `event property index, ${name}`,
      `INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)
       SELECT id, profile_id, type, occurred_at, '${name}', ${json(name)}, NULL FROM events WHERE ${number(name)} IS NOT NULL`,
    );
  }
  await step(
    'event property index, amount',
    `INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)
     SELECT id, profile_id, type, occurred_at, 'amount', NULL, ${number('amount')} FROM events WHERE ${number('amount')} IS NOT NULL`,
  );
  // The default scoring rules' ledger: every such event scores (the seed keeps within their caps).
  await step(
    'ledger of the default scoring rules',
    `INSERT INTO score_ledger (event_id, rule_id, profile_id, score_group, points, occurred_at, cap_key, created_at)
     SELECT id,
       CASE type WHEN 'page_view' THEN 'website-entry' WHEN 'qr_scan' THEN 'qr-scan' WHEN 'article_favorite' THEN 'article-favorite' ELSE 'article-read' END,
       profile_id, 'engagement',
       CASE type WHEN 'page_view' THEN 10 WHEN 'qr_scan' THEN 8 WHEN 'article_favorite' THEN 8 ELSE 7 END,
       occurred_at,
       CASE type WHEN 'page_view' THEN 'once' WHEN 'qr_scan' THEN ${json('scene')} WHEN 'article_favorite' THEN ${json('articleId')}
         ELSE ${concat("'1d:'", shanghaiDay)} END,
       :now
     FROM events WHERE type IN ('qr_scan', 'article_favorite', 'article_view') OR (type = 'page_view' AND channel = 'website')`,
  );
  const ageDays = db.isMysql
    ? 'TIMESTAMPDIFF(SECOND, occurred_at, :now) / 86400'
    : '(julianday(:nowText) - julianday(substr(occurred_at, 1, 23)))';
  await step(
    'scores (faded to now, half-life 90 days)',
    `INSERT INTO scores (profile_id, score_group, points, updated_at)
     SELECT profile_id, score_group, SUM(points * POW(0.5, ${ageDays} / 90)), :now FROM score_ledger GROUP BY profile_id, score_group`,
  );
  await step(
    'loyal (score >= 90)',
    "INSERT INTO tags (profile_id, name, source, added_at) SELECT profile_id, 'loyal', 'rule:loyal', :now FROM scores WHERE points >= 90",
  );
  await db.execute('DROP TABLE bench_numbers');
  if (db.isMysql)
    await db.execute(
      'ANALYZE TABLE profiles, tags, identities, subscriptions, events, event_properties, score_ledger, scores',
    );
  else await db.execute('ANALYZE');
  const [{ n }] = await db.select<{ n: number }>('SELECT COUNT(*) AS n FROM events');
  return Number(n);
}

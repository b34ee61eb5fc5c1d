import fc from 'fast-check';
import type { Database } from '../../src/db/database';
import { identityTypes, type IdentityType } from '../../src/profiles/identity';
import { compareOps, lifecycleStages, type SegmentExpr } from '../../src/segments/segment-ast';
import { countEvents, evaluateSegment, type FactEvent, type ProfileFacts } from '../../src/segments/segment-evaluator';
import { parseSegment } from '../../src/segments/segment-parser';
import { printSegment } from '../../src/segments/segment-printer';
import { resolveSegmentRefs } from '../../src/segments/segment-semantics';
import { ageBands } from '../../src/profiles/attribute-catalog';
import { TimelineService } from '../../src/timeline/timeline.service';
import { compileSegment, liveProfiles } from '../../src/segments/segment-sql-compiler';
import { startTestApp, type TestApp } from '../support/test-app';

const now = new Date('2026-11-23T12:00:00.000Z');
const day = 24 * 60 * 60 * 1000;

/** Small vocabularies, so random expressions and random profiles meet often. */
const tagNames = [
  'loyal',
  'interest/sports',
  '兴趣/运动',
  'Loyal',
  'vip gold',
  ...lifecycleStages.map((stage) => `lifecycle/${stage}`),
];
const cities = ['Shanghai', 'shanghai', 'Hangzhou', '上海'];
const eventTypes = ['article_view', 'purchase', 'Purchase', 'page_view'];
/** Longer than an indexed value: attributes compare it on the stored text, the event property index by digest. */
const longText = `long ${'x'.repeat(200)}`;
const topics = ['sports', 'Sports', 'tech', longText];
const sources = ['store-0217', 'poster-double11', 'unknown'];
const channels = ['offline-store', 'website', 'wechat'];

interface GeneratedProfile {
  tags: string[];
  city: string | null;
  level: number | string | null;
  vip: boolean | null;
  birthday: string | null;
  ageBand: string | null;
  scores: { group: string; points: number }[];
  identities: IdentityType[];
  subscriptions: { account: string; subscribed: boolean }[];
  lastSeenDaysAgo: number | null;
  source: string | null;
  channel: string | null;
  events: { type: string; source: string; daysAgo: number; properties: Record<string, unknown> }[];
}

const profileArbitrary: fc.Arbitrary<GeneratedProfile> = fc.record({
  tags: fc.uniqueArray(fc.constantFrom(...tagNames), { maxLength: 4 }),
  city: fc.option(fc.constantFrom(...cities), { nil: null }),
  level: fc.option(
    fc.oneof(fc.integer({ min: -3, max: 10 }), fc.constant(2.5), fc.constant('3'), fc.constant(longText)),
    { nil: null },
  ),
  vip: fc.option(fc.boolean(), { nil: null }),
  // Birthdays around the band edges of `now` (2026-11-23): the day before, on and after an anniversary.
  birthday: fc.option(
    fc
      .record({
        year: fc.integer({ min: 1955, max: 2012 }),
        day: fc.constantFrom('11-22', '11-23', '11-24', '02-28', '06-01'),
      })
      .map(({ year, day: date }) => `${year}-${date}`),
    { nil: null },
  ),
  ageBand: fc.option(fc.constantFrom(...ageBands), { nil: null }),
  scores: fc.uniqueArray(
    fc.record({ group: fc.constantFrom('engagement', 'intent'), points: fc.integer({ min: 0, max: 80 }) }),
    { selector: (s) => s.group, maxLength: 2 },
  ),
  identities: fc.uniqueArray(fc.constantFrom(...identityTypes), { maxLength: 3 }),
  subscriptions: fc.uniqueArray(
    fc.record({ account: fc.constantFrom('default', 'brand_b'), subscribed: fc.boolean() }),
    { selector: (s) => s.account, maxLength: 2 },
  ),
  lastSeenDaysAgo: fc.option(fc.integer({ min: 0, max: 120 }), { nil: null }),
  source: fc.option(fc.constantFrom(...sources), { nil: null }),
  channel: fc.option(fc.constantFrom(...channels), { nil: null }),
  events: fc.array(
    fc.record({
      type: fc.constantFrom(...eventTypes),
      // Persona's own records (tag_added…) are left out by event:any.
      source: fc.constantFrom('test', 'persona'),
      daysAgo: fc.integer({ min: 0, max: 100 }),
      properties: fc.record(
        {
          topic: fc.constantFrom(...topics),
          amount: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.constant(2.5), fc.constant('500')),
          gift: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    }),
    { maxLength: 8 },
  ),
});

const op = fc.constantFrom(...compareOps);
const orderOp = fc.constantFrom('<' as const, '<=' as const, '>' as const, '>=' as const);
const duration = fc.record({
  amount: fc.integer({ min: 1, max: 12 }),
  unit: fc.constantFrom('h' as const, 'd' as const, 'w' as const),
});
const leaf: fc.Arbitrary<SegmentExpr> = fc.oneof(
  fc
    .record({
      group: fc.option(fc.constantFrom('engagement', 'intent', 'none'), { nil: null }),
      op,
      value: fc.integer({ min: 0, max: 120 }),
    })
    .map((c) => ({ kind: 'score' as const, ...c })),
  fc
    .record({ field: fc.constant('age'), op, value: fc.integer({ min: 10, max: 75 }) })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc
    .record({
      field: fc.constantFrom('age', 'ageBand'),
      op: fc.constantFrom('=' as const, '!=' as const),
      value: fc.constantFrom<string>(...ageBands),
    })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc.constantFrom('sporty', 'shanghai-vip', 'picks').map((name) => ({ kind: 'segment' as const, name })),
  fc
    .constantFrom(...tagNames.filter((name) => !name.startsWith('lifecycle/')))
    .map((name) => ({ kind: 'tag' as const, name })),
  fc.constantFrom(...lifecycleStages).map((stage) => ({ kind: 'lifecycle' as const, stage })),
  fc.constantFrom(...identityTypes).map((identity) => ({ kind: 'has' as const, identity })),
  fc
    .option(fc.constantFrom('brand_b', 'nobody'), { nil: null })
    .map((account) => ({ kind: 'subscribed' as const, account })),
  fc
    .record({
      field: fc.constant('city'),
      op: fc.constantFrom('=' as const, '!=' as const),
      value: fc.constantFrom<string | number>(...cities, 3),
    })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc
    .record({
      field: fc.constant('city'),
      values: fc.uniqueArray(fc.constantFrom(...cities), { minLength: 1, maxLength: 3 }),
    })
    .map((c) => ({ kind: 'fieldIn' as const, ...c })),
  fc
    .record({ field: fc.constant('attr.level'), op, value: fc.integer({ min: -3, max: 10 }) })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc
    .record({
      field: fc.constant('attr.level'),
      op: fc.constantFrom('=' as const, '!=' as const),
      value: fc.constantFrom('3', longText),
    })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc
    .record({ field: fc.constant('attr.vip'), op: fc.constantFrom('=' as const, '!=' as const), value: fc.boolean() })
    .map((c) => ({ kind: 'field' as const, ...c })),
  // A name no profile holds that is also a built-in member of every JavaScript object.
  fc
    .record({
      field: fc.constant('attr.constructor'),
      op: fc.constantFrom('=' as const, '!=' as const),
      value: fc.constant('x'),
    })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc
    .record({
      field: fc.constantFrom('source', 'channel'),
      op: fc.constantFrom('=' as const, '!=' as const),
      value: fc.constantFrom(...sources, ...channels),
    })
    .map((c) => ({ kind: 'field' as const, ...c })),
  fc.record({ op: orderOp, ago: duration }).map((c) => ({ kind: 'lastSeen' as const, ...c })),
  fc
    .record({
      types: fc.oneof(
        fc.constant('any' as const),
        fc.uniqueArray(fc.constantFrom(...eventTypes), { minLength: 1, maxLength: 2 }),
      ),
      sum: fc.option(fc.constantFrom('amount', 'gift'), { nil: null, freq: 3 }),
      filters: fc.array(
        fc.oneof(
          fc.record({
            property: fc.constant('topic'),
            op: fc.constantFrom('=' as const, '!=' as const),
            value: fc.constantFrom(...topics),
          }),
          fc.record({ property: fc.constant('amount'), op, value: fc.integer({ min: 0, max: 20_000 }) }),
          fc.record({ property: fc.constant('amount'), op: fc.constant('=' as const), value: fc.constant('500') }),
          fc.record({
            property: fc.constant('gift'),
            op: fc.constantFrom('=' as const, '!=' as const),
            value: fc.boolean(),
          }),
          fc.record({
            property: fc.constant('constructor'),
            op: fc.constantFrom('=' as const, '!=' as const),
            value: fc.constant('x'),
          }),
        ),
        { maxLength: 2 },
      ),
      op,
      count: fc.integer({ min: 0, max: 4 }),
      total: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.constant(2.5)),
      window: fc.option(fc.record({ amount: fc.integer({ min: 1, max: 90 }), unit: fc.constant('d' as const) }), {
        nil: null,
      }),
    })
    // A sum compares with a total, a count with a few events.
    .map(({ total, count, ...c }) => ({ kind: 'event' as const, ...c, count: c.sum === null ? count : total })),
);
const expression = fc.letrec<{ expr: SegmentExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((items) => ({ kind: 'and' as const, items })),
    fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((items) => ({ kind: 'or' as const, items })),
    tie('expr').map((item) => ({ kind: 'not' as const, item })),
  ),
})).expr;

async function seed(db: Database, profiles: GeneratedProfile[]): Promise<number[]> {
  const ids: number[] = [];
  const timeline = new TimelineService(db);
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day - 3_600_000);
  for (const [index, profile] of profiles.entries()) {
    const id = await db.insert(
      'INSERT INTO profiles (created_at, updated_at, last_seen_at, first_touch_source, first_touch_channel) VALUES (?, ?, ?, ?, ?)',
      [
        now,
        now,
        profile.lastSeenDaysAgo === null ? null : at(profile.lastSeenDaysAgo),
        profile.source,
        profile.channel,
      ],
    );
    ids.push(id);
    for (const name of profile.tags)
      await db.execute('INSERT INTO tags (profile_id, name, source, added_at) VALUES (?, ?, ?, ?)', [
        id,
        name,
        'test',
        now,
      ]);
    const attributes: [string, unknown][] = [
      ['city', profile.city],
      ['level', profile.level],
      ['vip', profile.vip],
      ['birthday', profile.birthday],
      ['ageBand', profile.ageBand],
    ];
    for (const { group, points } of profile.scores) {
      await db.execute('INSERT INTO scores (profile_id, score_group, points, updated_at) VALUES (?, ?, ?, ?)', [
        id,
        group,
        points,
        now,
      ]);
    }
    for (const [name, value] of attributes) {
      if (value !== null)
        await db.execute(
          'INSERT INTO attributes (profile_id, name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)',
          [id, name, JSON.stringify(value), 'test', now],
        );
    }
    for (const type of profile.identities) {
      await db.execute('INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES (?, ?, ?, ?, ?)', [
        id,
        type,
        '',
        `${type}-${index}`,
        now,
      ]);
    }
    for (const { account, subscribed } of profile.subscriptions) {
      await db.execute('INSERT INTO subscriptions (profile_id, account, subscribed, changed_at) VALUES (?, ?, ?, ?)', [
        id,
        account,
        subscribed,
        now,
      ]);
    }
    // Through the timeline, so the event property index is written as in production.
    await db.transaction(async (transaction) => {
      for (const [n, event] of profile.events.entries()) {
        await timeline.append(
          {
            profileId: id,
            type: event.type,
            channel: 'website',
            source: event.source,
            sourceKey: `seed:${index}:${n}`,
            occurredAt: at(event.daysAgo),
            receivedAt: now,
            properties: event.properties,
          },
          transaction,
        );
      }
    });
  }
  return ids;
}

/** A frozen segment's static list: every third profile (and, below, a merged pointer that must not count). */
const frozenPick = (index: number) => index % 3 === 0;

function factsOf(profile: GeneratedProfile, index: number, frozenSegmentId: number): ProfileFacts {
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day - 3_600_000);
  const events: FactEvent[] = profile.events.map((event) => ({
    type: event.type,
    source: event.source,
    occurredAt: at(event.daysAgo),
    properties: event.properties,
  }));
  const attributes: Record<string, string | number | boolean> = {};
  if (profile.city !== null) attributes.city = profile.city;
  if (profile.level !== null) attributes.level = profile.level;
  if (profile.vip !== null) attributes.vip = profile.vip;
  if (profile.birthday !== null) attributes.birthday = profile.birthday;
  if (profile.ageBand !== null) attributes.ageBand = profile.ageBand;
  return {
    tags: new Set(profile.tags),
    attributes,
    identityTypes: new Set(profile.identities),
    subscriptions: new Map(profile.subscriptions.map((s) => [s.account, s.subscribed])),
    lastSeenAt: profile.lastSeenDaysAgo === null ? null : at(profile.lastSeenDaysAgo),
    firstTouch: { source: profile.source, channel: profile.channel },
    scores: new Map(profile.scores.map((score) => [score.group, score.points])),
    frozenSegments: new Set(frozenPick(index) ? [frozenSegmentId] : []),
    eventCount: (term) => countEvents(events, term, now),
  };
}

describe('segment SQL and the in-memory evaluator agree', () => {
  let app: TestApp;
  let profiles: GeneratedProfile[];
  let frozenSegmentId: number;

  beforeAll(async () => {
    app = await startTestApp();
    profiles = fc.sample(profileArbitrary, { numRuns: 60, seed: 20261123 });
    const { db } = app.persona;
    const ids = await seed(db, profiles);
    frozenSegmentId = await db.insert(
      'INSERT INTO segments (name, expression, created_at, updated_at, frozen_at) VALUES (?, ?, ?, ?, ?)',
      ['picks', 'tag:x', now, now, now],
    );
    const members = ids.filter((_, index) => frozenPick(index));
    // A merged pointer and an erased profile hold tags and list places but are nobody to count.
    for (const column of ['merged_into = 1', 'erased_at = created_at']) {
      const id = await db.insert('INSERT INTO profiles (created_at, updated_at) VALUES (?, ?)', [now, now]);
      await db.execute(`UPDATE profiles SET ${column} WHERE id = ?`, [id]);
      await db.execute('INSERT INTO tags (profile_id, name, source, added_at) VALUES (?, ?, ?, ?)', [
        id,
        'loyal',
        'test',
        now,
      ]);
      members.push(id);
    }
    for (const id of members)
      await db.execute('INSERT INTO segment_members (segment_id, profile_id) VALUES (?, ?)', [frozenSegmentId, id]);
  });

  afterAll(async () => {
    await app.stop();
  });

  /** Saved segments the random expressions may refer to. */
  const saved: Record<string, SegmentExpr> = {
    sporty: parseSegment('tag:interest/sports OR event:article_view[topic=sports] >= 2 in 30d'),
    'shanghai-vip': parseSegment('city:Shanghai AND (attr.vip = true OR segment:sporty)'),
  };
  const segments = async (name: string): Promise<SegmentExpr | undefined> =>
    name === 'picks' ? { kind: 'frozenList', name, segmentId: frozenSegmentId } : saved[name];

  async function sqlCount(expr: SegmentExpr): Promise<number> {
    const compiled = await compileSegment(expr, { dialect: app.persona.db.dialect, now, segments });
    const [row] = await app.persona.db.select<{ n: number }>(
      `SELECT COUNT(*) AS n FROM profiles p WHERE ${liveProfiles} AND ${compiled.sql}`,
      compiled.values,
    );
    return Number(row.n);
  }

  it('counts the same profiles for 500 random expressions over 60 random profiles', async () => {
    const facts = profiles.map((profile, index) => factsOf(profile, index, frozenSegmentId));
    await fc.assert(
      fc.asyncProperty(expression, async (expr) => {
        const resolved = await resolveSegmentRefs(expr, segments);
        const expected = facts.filter((profile) => evaluateSegment(resolved, profile, now)).length;
        expect({ expression: printSegment(expr), count: await sqlCount(expr) }).toEqual({
          expression: printSegment(expr),
          count: expected,
        });
      }),
      { numRuns: 500, seed: Number(process.env.SEGMENT_SEED ?? Date.now() % 1_000_000) },
    );
  });

  it('treats an injection attempt as a name that matches nothing', async () => {
    expect(await sqlCount(parseSegment(`tag:"x' OR 1=1 --"`))).toBe(0);
    expect(await sqlCount(parseSegment(`city:"x' OR '1'='1" OR attr.level >= 0`))).toBe(
      profiles.filter((p) => typeof p.level === 'number' && p.level >= 0).length,
    );
  });
});

import fc from 'fast-check';
import { identityTypes } from '../../src/profiles/identity';
import { compareOps, lifecycleStages, type SegmentExpr, shorthandFields } from '../../src/segments/segment-ast';
import { parseSegment } from '../../src/segments/segment-parser';
import { printSegment } from '../../src/segments/segment-printer';

/** Every example of the language's definition, with its canonical text. */
const examples: [string, string][] = [
  ['tag:loyal', 'tag:loyal'],
  ['tag:interest/sports', 'tag:interest/sports'],
  ['tag:兴趣/运动', 'tag:兴趣/运动'],
  ['tag:"summer sale 2026"', 'tag:"summer sale 2026"'],
  ['lifecycle:dormant', 'lifecycle:dormant'],
  ['lifecycle:沉睡', 'lifecycle:dormant'],
  ['score >= 90', 'score >= 90'],
  ['score.engagement > 20', 'score.engagement > 20'],
  ['city:Shanghai', 'city:Shanghai'],
  ['city in (Shanghai, Hangzhou)', 'city in (Shanghai, Hangzhou)'],
  ['attr.company = "Acme"', 'company:Acme'],
  ['attr.vipLevel >= 2', 'attr.vipLevel >= 2'],
  ['attr.plan = "10"', 'attr.plan = "10"'],
  ['attr.city = Shanghai', 'city:Shanghai'],
  ['age >= 30', 'age >= 30'],
  ['subscribed', 'subscribed'],
  ['subscribed:brand_b', 'subscribed:brand_b'],
  ['has:phone', 'has:phone'],
  ['has:unionid', 'has:unionid'],
  ['event:article_view >= 3 in 30d', 'event:article_view >= 3 in 30d'],
  ['event:article_view[topic=sports] >= 3 in 30d', 'event:article_view[topic=sports] >= 3 in 30d'],
  ['event:purchase[amount>=10000] in 90d', 'event:purchase[amount>=10000] in 90d'],
  ['event:(purchase, deal_won) >= 2 in 365d', 'event:(purchase, deal_won) >= 2 in 365d'],
  ['event:(purchase) in 30d', 'event:purchase in 30d'],
  [
    'event:(purchase, deal_won, purchase) sum(amount) >= 100000 in 365d',
    'event:(purchase, deal_won) sum(amount) >= 100000 in 365d',
  ],
  ['event:purchase[channel=wechat] SUM(amount) < 99.5', 'event:purchase[channel=wechat] sum(amount) < 99.5'],
  ['event:any >= 20 in 30d', 'event:any >= 20 in 30d'],
  ['event:any[channel=website] in 7d', 'event:any[channel=website] in 7d'],
  ['last_seen < 7d', 'last_seen < 7d'],
  ['last_seen > 30d', 'last_seen > 30d'],
  ['segment:vip', 'segment:vip'],
  [
    'lifecycle:dormant and tag:interest/sports AND (city:Shanghai or city:Hangzhou) and not tag:buyer',
    'lifecycle:dormant AND tag:interest/sports AND (city:Shanghai OR city:Hangzhou) AND NOT tag:buyer',
  ],
  [
    'lifecycle:沉睡 且 (city:上海 或 city:杭州) 且 非 tag:买家',
    'lifecycle:dormant AND (city:上海 OR city:杭州) AND NOT tag:买家',
  ],
  ['标签:忠实用户 且 城市:上海 且 生命周期:沉睡', 'tag:忠实用户 AND city:上海 AND lifecycle:dormant'],
  ['事件:purchase 在 30d 或 分数 >= 90 或 非 关注', 'event:purchase in 30d OR score >= 90 OR NOT subscribed'],
  ['有:手机 且 年龄段:25-34', 'has:phone AND ageBand:25-34'],
  ['tag:a tag:b OR tag:c', 'tag:a AND tag:b OR tag:c'],
  ['NOT (tag:a OR tag:b)', 'NOT (tag:a OR tag:b)'],
  ['((tag:a))', 'tag:a'],
  ['tag:a OR (tag:b OR tag:c)', 'tag:a OR tag:b OR tag:c'],
];

describe('segment expressions', () => {
  it.each(examples)('%s prints back as %s, which parses to the same tree', (source, canonical) => {
    const tree = parseSegment(source);
    expect(printSegment(tree)).toBe(canonical);
    expect(parseSegment(canonical)).toEqual(tree);
  });

  it('reads full-width punctuation typed on a Chinese keyboard', () => {
    expect(printSegment(parseSegment('city：上海 且 （tag:兴趣/运动 或 tag:兴趣/足球）'))).toBe(
      'city:上海 AND (tag:兴趣/运动 OR tag:兴趣/足球)',
    );
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    expect(parseSegment('NOT tag:a AND tag:b OR tag:c')).toEqual({
      kind: 'or',
      items: [
        {
          kind: 'and',
          items: [
            { kind: 'not', item: { kind: 'tag', name: 'a' } },
            { kind: 'tag', name: 'b' },
          ],
        },
        { kind: 'tag', name: 'c' },
      ],
    });
  });

  it('reads names of built-in object members as plain names, never as something inherited', () => {
    expect(parseSegment('city in (__proto__, constructor)')).toEqual({
      kind: 'fieldIn',
      field: 'city',
      values: ['__proto__', 'constructor'],
    });
    expect(parseSegment('attr.constructor = toString')).toEqual({
      kind: 'field',
      field: 'attr.constructor',
      op: '=',
      value: 'toString',
    });
    expect(() => parseSegment('has:constructor')).toThrow('column 5: expected an identity type');
    expect(() => parseSegment('lifecycle:__proto__')).toThrow('column 11: expected a lifecycle stage');
  });

  it('keeps an injection attempt as a plain name', () => {
    const tree = parseSegment(`tag:"x' OR 1=1 --"`);
    expect(tree).toEqual({ kind: 'tag', name: "x' OR 1=1 --" });
    expect(printSegment(tree)).toBe(`tag:"x' OR 1=1 --"`);
  });

  it.each([
    ['tag:', 'column 5: expected a tag name after "tag:"'],
    ['tag:loyal AND', 'column 14: expected a condition after this, e.g. tag:loyal'],
    ['(tag:a OR tag:b', 'column 16: expected a ")" to close the "(" at column 1'],
    ['tag:a)', 'column 6: expected no ")" here: it has no "(" to close'],
    ['lifecycle:sleepy', 'column 11: expected a lifecycle stage (potential, new, active, dormant, churned)'],
    [
      'lifecycle:dormnt',
      'column 11: expected a lifecycle stage (potential, new, active, dormant, churned) (did you mean dormant?)',
    ],
    [
      'cty:Shanghai',
      'column 1: expected a condition such as tag:loyal, city:Shanghai or event:article_view in 30d (did you mean city?)',
    ],
    ['score > high', 'column 9: expected a number'],
    ['event:article_view >= 3 in 30 days', 'column 28: expected a duration such as 12h, 30d or 2w'],
    ['event:article_view[topic] in 30d', 'column 25: expected a comparison after topic'],
    ['event:(purchase, any) in 30d', 'column 18: expected event types (any stands alone: event:any)'],
    ['event:(purchase deal_won)', 'column 17: expected a "," or a ")" ending the event types'],
    ['event:purchase sum(1amount) >= 5', 'column 20: expected the numeric property to sum, such as amount'],
    ['event:purchase >= 2.5', 'column 19: expected a whole number of events'],
    ['has:wechat', 'column 5: expected an identity type (email, phone, openid, unionid, crm_id, anonymous_id)'],
    ['city in (Shanghai, ', 'column 20: expected a value after ","'],
    ['tag:"unterminated', 'column 5: expected a closing " for the quoted name'],
    ['', 'column 1: expected a condition, e.g. tag:loyal'],
    ['last_seen 7d', 'column 11: expected a comparison after last_seen (last_seen < 7d: seen within 7 days)'],
    ['tag:a ! tag:b', 'column 7: expected a comparison (=, !=, >, >=, <, <=)'],
  ])('%s is refused: %s', (source, message) => {
    expect(() => parseSegment(source)).toThrow(message);
  });

  it('refuses nesting deeper than 64 brackets instead of overflowing the stack', () => {
    expect(() => parseSegment(`${'('.repeat(100)}tag:a${')'.repeat(100)}`)).toThrow('at most 64 nested brackets');
  });

  it('prints every tree so that it parses back to the same tree', () => {
    const text = fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'in', 'and'),
    );
    const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
    const scalar = fc.oneof(text, fc.integer({ min: -100_000, max: 100_000 }), fc.boolean());
    const op = fc.constantFrom(...compareOps);
    const duration = fc.record({
      amount: fc.integer({ min: 1, max: 999 }),
      unit: fc.constantFrom('h' as const, 'd' as const, 'w' as const),
    });
    const field = fc
      .oneof(
        fc.constantFrom(...shorthandFields),
        word.map((name) => `attr.${name}`),
      )
      .filter(
        (name) =>
          !(shorthandFields as readonly string[]).includes(name.replace(/^attr\./, '')) || !name.startsWith('attr.'),
      );
    const leaf: fc.Arbitrary<SegmentExpr> = fc.oneof(
      text.map((name) => ({ kind: 'tag' as const, name })),
      text.map((name) => ({ kind: 'segment' as const, name })),
      fc.constantFrom(...lifecycleStages).map((stage) => ({ kind: 'lifecycle' as const, stage })),
      fc
        .record({ group: fc.option(word, { nil: null }), op, value: fc.integer({ min: 0, max: 1000 }) })
        .map((score) => ({ kind: 'score' as const, ...score })),
      fc.record({ field, op, value: scalar }).map((condition) => ({ kind: 'field' as const, ...condition })),
      fc
        .record({ field, values: fc.array(scalar, { minLength: 1, maxLength: 3 }) })
        .map((condition) => ({ kind: 'fieldIn' as const, ...condition })),
      fc.option(text, { nil: null }).map((account) => ({ kind: 'subscribed' as const, account })),
      fc.constantFrom(...identityTypes).map((identity) => ({ kind: 'has' as const, identity })),
      fc
        .record({
          types: fc.oneof(
            fc.constant('any' as const),
            fc.uniqueArray(
              word.filter((type) => type !== 'any'),
              { minLength: 1, maxLength: 3 },
            ),
          ),
          filters: fc.array(fc.record({ property: word, op, value: scalar }), { maxLength: 2 }),
          sum: fc.option(word, { nil: null }),
          op,
          count: fc.integer({ min: 0, max: 50 }),
          window: fc.option(duration, { nil: null }),
        })
        .map((event) => ({ kind: 'event' as const, ...event })),
      fc.record({ op, ago: duration }).map((recency) => ({ kind: 'lastSeen' as const, ...recency })),
    );
    const tree = fc.letrec<{ expr: SegmentExpr }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((items) => flatten('and', items)),
        fc.array(tie('expr'), { minLength: 2, maxLength: 3 }).map((items) => flatten('or', items)),
        tie('expr').map((item) => ({ kind: 'not' as const, item })),
      ),
    })).expr;
    fc.assert(
      fc.property(tree, (expr) => {
        expect(parseSegment(printSegment(expr))).toEqual(expr);
      }),
      { numRuns: 500 },
    );
  });
});

/** The parser's normal form: AND inside AND (and OR inside OR) is one level. */
function flatten(kind: 'and' | 'or', items: SegmentExpr[]): SegmentExpr {
  return { kind, items: items.flatMap((item) => (item.kind === kind ? item.items : [item])) } as SegmentExpr;
}

import { AppError, ConflictError } from '../../src/errors/app.errors';
import type { Database } from '../../src/db/database';
import { parsePropertyFilters, parseSegment } from '../../src/segments/segment-parser';
import { checkMeaning, resolveSegmentRefs } from '../../src/segments/segment-semantics';
import { compileSegment } from '../../src/segments/segment-sql-compiler';
import { evaluateSegment } from '../../src/segments/segment-evaluator';
import { checkName, description } from '../../src/segments/segment-input';
import { unknownNameWarnings } from '../../src/segments/segment-vocabulary';
import { SegmentService } from '../../src/segments/segment.service';
import { SegmentSyntaxError } from '../../src/segments/segments.errors';
import { englishSentenceIn } from '../support/english-sentence';

// Every error the segments room raises, from its catalogue: English as the API has always said it, and Chinese
// without an English sentence for the operator who reads Chinese.

const now = new Date('2026-11-23T12:00:00Z');
const lookup = (saved: Record<string, string>) => async (name: string) =>
  saved[name] === undefined ? undefined : parseSegment(saved[name]);
/** s0 → s1 → … → s20: deeper than segments may nest. */
const chain = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, `segment:s${i + 1}`]));
const meaning = (text: string) => () => checkMeaning(parseSegment(text));
const parse = (text: string) => () => parseSegment(text);

/**
 * A segment service over a database that answers `rows` to every read naming no other segment and `others` to the
 * read of the other segments (a delete's), and refuses every write as a duplicate: enough to reach its refusals.
 */
function serviceOver(rows: Record<string, unknown>[], others: Record<string, unknown>[] = []): SegmentService {
  const db = {
    dialect: 'sqlite',
    select: async (sql: string) => (sql.includes('id <>') ? others : rows),
    execute: async () => {
      throw new ConflictError();
    },
  } as unknown as Database;
  return new SegmentService(db, () => now);
}
const frozen = { id: 1, name: 'vip', expression: 'tag:loyal', description: null, frozen_at: now };

const cases: [label: string, run: () => unknown, english: string][] = [
  ['too long', parse('x'.repeat(4001)), 'column 4001: expected an expression of at most 4000 characters'],
  [
    'filters too long',
    () => parsePropertyFilters('x'.repeat(4001)),
    'column 4001: expected conditions of at most 4000 characters',
  ],
  [
    'filters without comma',
    () => parsePropertyFilters('channel=website topic=sports'),
    'column 17: expected a "," and another condition, or the end',
  ],
  ['empty', parse(''), 'column 1: expected a condition, e.g. tag:loyal'],
  ['stray )', parse('tag:a)'), 'column 6: expected no ")" here: it has no "(" to close'],
  [
    'nested (',
    parse(`${'('.repeat(65)}tag:a${')'.repeat(65)}`),
    'column 65: expected at most 64 nested brackets and NOTs',
  ],
  ['nested NOT', parse(`${'NOT '.repeat(65)}tag:a`), 'column 257: expected at most 64 nested brackets and NOTs'],
  ['unclosed (', parse('(tag:a OR tag:b'), 'column 16: expected a ")" to close the "(" at column 1'],
  ['dangling AND', parse('tag:loyal AND'), 'column 14: expected a condition after this, e.g. tag:loyal'],
  ['dangling 且', parse('标签:忠实用户 且'), 'column 10: expected a condition after this, e.g. tag:loyal'],
  [
    'keyword as term',
    parse('tag:a AND OR tag:b'),
    'column 11: expected a condition such as tag:loyal, city:Shanghai or event:article_view in 30d',
  ],
  [
    'misspelt term',
    parse('ctiy:Shanghai'),
    'column 1: expected a condition such as tag:loyal, city:Shanghai or event:article_view in 30d (did you mean city?)',
  ],
  ['tag:', parse('tag:'), 'column 5: expected a tag name after "tag:"'],
  ['tag without colon', parse('tag loyal'), 'column 5: expected a tag name (write tag:<name>)'],
  ['标签 without colon', parse('标签 忠实用户'), 'column 4: expected a tag name (write tag:<name>)'],
  ['segment:', parse('segment:'), 'column 9: expected a segment name after "segment:"'],
  ['segment without colon', parse('segment vip'), 'column 9: expected a segment name (write segment:<name>)'],
  ['lifecycle:', parse('lifecycle:'), 'column 11: expected a lifecycle stage after "lifecycle:"'],
  [
    'lifecycle without colon',
    parse('lifecycle dormant'),
    'column 11: expected a lifecycle stage (write lifecycle:<name>)',
  ],
  ['subscribed:', parse('subscribed:'), 'column 12: expected an official account name after "subscribed:"'],
  ['has:', parse('has:'), 'column 5: expected an identity type after "has:"'],
  ['has without colon', parse('has phone'), 'column 5: expected an identity type (write has:<name>)'],
  ['event:', parse('event:'), 'column 7: expected an event type after "event:"'],
  ['event without colon', parse('event purchase'), 'column 7: expected an event type (write event:<name>)'],
  [
    'unknown stage',
    parse('lifecycle:sleepy'),
    'column 11: expected a lifecycle stage (potential, new, active, dormant, churned)',
  ],
  [
    'misspelt stage',
    parse('lifecycle:dormnat'),
    'column 11: expected a lifecycle stage (potential, new, active, dormant, churned) (did you mean dormant?)',
  ],
  [
    'unknown identity',
    parse('has:wechat'),
    'column 5: expected an identity type (email, phone, openid, unionid, crm_id, anonymous_id)',
  ],
  ['score.', parse('score. > 3'), 'column 7: expected a score group after "score."'],
  ['score without comparison', parse('score high'), 'column 7: expected a comparison after the score (>= 90)'],
  ['score without number', parse('score > high'), 'column 9: expected a number'],
  [
    'last_seen without comparison',
    parse('last_seen 7d'),
    'column 11: expected a comparison after last_seen (last_seen < 7d: seen within 7 days)',
  ],
  ['attr. not camelCase', parse('attr.Company = Acme'), 'column 6: expected a camelCase attribute name after "attr."'],
  ['city:', parse('city:'), 'column 6: expected a value after "city:"'],
  ['城市:', parse('城市:'), 'column 4: expected a value after "城市:"'],
  ['in without (', parse('city in Shanghai'), 'column 9: expected a "(" starting the list of values'],
  ['in ()', parse('city in ()'), 'column 10: expected a value'],
  ['in (a,', parse('city in (Shanghai, '), 'column 20: expected a value after ","'],
  ['in (a b)', parse('city in (Shanghai Hangzhou)'), 'column 19: expected a "," or a ")" ending the list'],
  ['field without operator', parse('city Shanghai'), 'column 6: expected ":", "in (…)" or a comparison after city'],
  [
    'event types unclosed',
    parse('event:(purchase deal_won)'),
    'column 17: expected a "," or a ")" ending the event types',
  ],
  [
    'filters unclosed',
    parse('event:purchase[topic=a'),
    'column 23: expected a "," or a "]" ending the property filters',
  ],
  [
    'sum of a non-name',
    parse('event:purchase sum(1amount) >= 5'),
    'column 20: expected the numeric property to sum, such as amount',
  ],
  ['sum unclosed', parse('event:purchase sum(amount >= 5'), 'column 27: expected a ")" after the property to sum'],
  ['count not a number', parse('event:purchase >= x'), 'column 19: expected a count of events'],
  ['total not a number', parse('event:purchase sum(amount) >= x'), 'column 31: expected a total of amount'],
  ['fractional count', parse('event:purchase >= 2.5'), 'column 19: expected a whole number of events'],
  [
    'event type in a list not a word',
    parse('event:(purchase, "x")'),
    'column 18: expected an event type such as purchase',
  ],
  [
    'any in a list',
    parse('event:(purchase, any) in 30d'),
    'column 18: expected event types (any stands alone: event:any)',
  ],
  ['event type not lower case', parse('event:Purchase'), 'column 7: expected an event type such as article_view'],
  ['property not a name', parse('event:purchase[1topic=a]'), 'column 16: expected a property name such as topic'],
  [
    'property without comparison',
    parse('event:purchase[topic] in 30d'),
    'column 21: expected a comparison after topic',
  ],
  [
    'duration in words',
    parse('event:article_view >= 3 in 30 days'),
    'column 28: expected a duration such as 12h, 30d or 2w',
  ],
  ['unterminated quote', parse('tag:"unterminated'), 'column 5: expected a closing " for the quoted name'],
  ['lone !', parse('tag:a ! tag:b'), 'column 7: expected a comparison (=, !=, >, >=, <, <=)'],
  ['ordering of text', meaning('city > Shanghai'), 'city > needs a number to compare with, not "Shanghai"'],
  [
    'ordering of a property',
    meaning('event:purchase[topic>=sports] in 30d'),
    'topic >= needs a number to compare with, not "sports"',
  ],
  ['age ordering of text', meaning('age > teen'), 'age > needs a number of years'],
  [
    'unknown age band',
    meaning('age:young'),
    'age: expected a number of years or an age band such as 25-34, under-18 or 65+, not "young"',
  ],
  ['fractional age', meaning('age >= 30.5'), 'age: expected a whole number of years'],
  ['last_seen =', meaning('last_seen = 7d'), 'last_seen compares with <, <=, > or >=, not ='],
  [
    'sum of a non-name (tree)',
    () => checkMeaning({ kind: 'event', types: 'any', filters: [], sum: '1x', op: '>=', count: 1, window: null }),
    'sum(1x): not a property name',
  ],
  ['unknown segment', () => resolveSegmentRefs(parseSegment('segment:vip'), lookup({})), 'no saved segment named vip'],
  [
    'cycle',
    () => resolveSegmentRefs(parseSegment('segment:a'), lookup({ a: 'tag:x OR segment:b', b: 'segment:a' })),
    'segment a → b → a refers to itself',
  ],
  [
    'nesting too deep',
    () => resolveSegmentRefs(parseSegment('segment:s0'), lookup(chain)),
    'segments nest more than 16 deep',
  ],
  [
    'compiler: last_seen =',
    () => compileSegment(parseSegment('last_seen = 7d'), { dialect: 'sqlite', now, segments: lookup({}) }),
    'last_seen compares with <, <=, > or >=, not =',
  ],
  [
    'evaluator: last_seen =',
    () => evaluateSegment({ kind: 'lastSeen', op: '=', ago: { amount: 7, unit: 'd' } }, {} as never, now),
    'last_seen compares with <, <=, > or >=, not =',
  ],
  [
    'evaluator: unresolved segment',
    () => evaluateSegment({ kind: 'segment', name: 'vip' }, {} as never, now),
    'segment:vip must be resolved before it is evaluated',
  ],
  ['blank name', () => checkName(' vip'), 'name: expected a name of 1 to 64 characters, without blanks at either end'],
  ['long description', () => description('x'.repeat(2001)), 'description: expected text of at most 2000 characters'],
  [
    'service: expression missing',
    () => serviceOver([]).measure(' '),
    'expression: expected an expression such as tag:loyal AND city:Shanghai',
  ],
  ['service: no such segment to count', () => serviceOver([]).countOf('vip'), 'no segment named vip'],
  ['service: no such segment to show', () => serviceOver([]).get('vip'), 'no segment named vip'],
  ['service: no such segment as audience', () => serviceOver([]).audience({ segment: 'vip' }), 'no segment named vip'],
  [
    'service: name taken',
    () => serviceOver([]).create({ name: 'vip', expression: 'tag:loyal' }),
    'a segment named vip already exists',
  ],
  [
    'service: frozen expression',
    () => serviceOver([frozen]).update('vip', { expression: 'tag:x' }),
    "segment vip is frozen: its expression can't change (save a new segment instead)",
  ],
  ['service: frozen twice', () => serviceOver([frozen]).freeze('vip'), 'segment vip is already frozen'],
  [
    'service: still used',
    () => serviceOver([frozen], [{ name: 'gold', expression: 'segment:vip AND tag:x' }]).delete('vip'),
    'segment vip is used by segment:gold',
  ],
];

async function failureOf(run: () => unknown): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('did not fail');
}

describe('what the segments room says', () => {
  it.each(cases)('%s: English as before, Chinese without an English sentence', async (_label, run, english) => {
    const error = await failureOf(run);
    expect(error.message).toBe(english);
    expect(error.text).toBeDefined();
    expect(error.messageIn('en')).toBe(english);
    const chinese = error.messageIn('zh-CN');
    expect(chinese).toMatch(/\p{Script=Han}/u);
    expect(englishSentenceIn(chinese)).toBeUndefined();
  });

  it('says a syntax error in one language, with its details in English', () => {
    const error = (() => {
      try {
        parseSegment('lifecycle:dormnat');
      } catch (caught) {
        return caught as SegmentSyntaxError;
      }
      throw new Error('did not fail');
    })();
    expect(error.messageIn('zh-CN')).toBe(
      '第 11 个字符处：应为生命周期阶段：潜在、新用户、活跃、沉睡、流失（或 potential、new、active、dormant、churned）。您是不是想写 dormant？',
    );
    expect(error.details).toEqual({
      column: 11,
      expected: 'a lifecycle stage (potential, new, active, dormant, churned)',
      suggestion: 'dormant',
    });
    expect(JSON.parse(JSON.stringify(error.details))).toEqual(error.details);
  });

  it('quotes the Chinese spelling of the language in Chinese', async () => {
    expect((await failureOf(parse(''))).messageIn('zh-CN')).toBe('第 1 个字符处：应为一个条件，例如 标签:忠实用户');
    expect((await failureOf(parse('tag loyal'))).messageIn('zh-CN')).toBe(
      '第 5 个字符处：应为标签名（写作 标签:<名称>）',
    );
    expect((await failureOf(meaning('city > Shanghai'))).messageIn('zh-CN')).toBe(
      'city 用 > 比较时需要数字，而不是 "Shanghai"',
    );
    // The Chinese spellings the messages suggest are the language's.
    for (const example of [
      '标签:忠实用户 或 城市:上海 或 事件:article_view 在 30d',
      '最近活跃 < 7d 且 有:手机 且 有:邮箱 且 关注:品牌号 且 人群:vip 且 城市 在 (上海, 杭州) 且 事件:any',
      '生命周期:潜在 或 生命周期:新用户 或 生命周期:活跃 或 生命周期:沉睡 或 生命周期:流失',
    ])
      expect(() => parseSegment(example)).not.toThrow();
  });

  it.each([
    ['tag:loyl', 'no profile has the tag loyl yet: did you mean loyal?', '还没有人带有标签 loyl，您是不是想写 loyal？'],
    ['tag:unheard', 'no profile has the tag unheard yet', '还没有人带有标签 unheard'],
    [
      'attr.favouriteColour = red',
      'no profile has the attribute favouriteColour yet',
      '还没有人有属性 favouriteColour',
    ],
    [
      'attr.compny = Acme',
      'no profile has the attribute compny yet: did you mean company?',
      '还没有人有属性 compny，您是不是想写 company？',
    ],
    [
      'event:menu_clik',
      'no profile has an event of type menu_clik yet: did you mean menu_click?',
      '还没有人有过 menu_clik 类型的事件，您是不是想写 menu_click？',
    ],
    [
      'event:brand_new_thing',
      'no profile has an event of type brand_new_thing yet',
      '还没有人有过 brand_new_thing 类型的事件',
    ],
  ])('warns of %s: English in JSON, Chinese to whoever reads it', (expression, english, chinese) => {
    const warnings = unknownNameWarnings(parseSegment(expression), {
      tags: ['loyal'],
      attributes: ['company'],
      eventTypes: ['menu_click'],
    });
    expect(JSON.parse(JSON.stringify(warnings))).toEqual([english]);
    expect(warnings.map(String)).toEqual([english]);
    expect(warnings.map((warning) => warning.in('zh-CN'))).toEqual([chinese]);
    expect(englishSentenceIn(chinese)).toBeUndefined();
  });

  it('warns once of a name used twice', () => {
    const vocabulary = { tags: [], attributes: [], eventTypes: [] };
    expect(
      unknownNameWarnings(parseSegment('tag:x OR (tag:x AND event:a) OR event:a'), vocabulary).map(String),
    ).toEqual(['no profile has the tag x yet', 'no profile has an event of type a yet']);
  });
});

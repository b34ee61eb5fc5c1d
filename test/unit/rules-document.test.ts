import { loadConfig } from '../../src/config/config-loader';
import { RuleSet } from '../../src/rules/rule-set';
import { capSlot, localDayNumber } from '../../src/rules/scoring-cap';

const rulesWith = (rules: Record<string, unknown>) => () => loadConfig({ env: {}, overrides: { rules } });

describe('rules document', () => {
  it('reads the default rules: the worked example and loyal at 90', () => {
    const rules = new RuleSet(loadConfig({ env: {} }).rules);
    expect(rules.scoring.map((rule) => [rule.id, rule.on, rule.points])).toEqual([
      ['website-entry', 'page_view', 10],
      ['qr-scan', 'qr_scan', 8],
      ['article-favorite', 'article_favorite', 8],
      ['article-read', 'article_view', 7],
    ]);
    expect(rules.scoringRulesFor('page_view')[0].filters).toEqual([{ property: 'channel', op: '=', value: 'website' }]);
    expect(rules.tagRules.slice(0, 6).map((rule) => [rule.tag, rule.category])).toEqual([
      ['lifecycle/churned', 'lifecycle'],
      ['lifecycle/potential', 'lifecycle'],
      ['lifecycle/new', 'lifecycle'],
      ['lifecycle/active', 'lifecycle'],
      ['lifecycle/dormant', 'lifecycle'],
      ['loyal', 'value'],
    ]);
    // Rules with `each` are one rule per value.
    expect(rules.tagRules.find((rule) => rule.tag === 'interest/travel')?.when).toBe(
      'event:article_view[topic=travel] >= 3 in 30d',
    );
    expect(rules.tagRules.find((rule) => rule.tag === 'demographic/age-65+')).toMatchObject({
      when: 'age:65+',
      category: 'demographic',
    });
    expect(rules.isExclusive('lifecycle')).toBe(true);
    expect(rules.isExclusive('value')).toBe(false);
    expect(rules.categoryOf('interest/sports')).toBe('interest');
    expect(rules.categoryOf('vip')).toBe('manual');
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a where that does not read',
      { scoring: [{ id: 'r', on: 'page_view', where: 'channel=', points: 1 }] },
      'rules.scoring[0].where: column 9: expected a value',
    ],
    [
      'an ordering on text',
      { scoring: [{ id: 'r', on: 'page_view', where: 'topic > sports', points: 1 }] },
      'rules.scoring[0].where: topic > needs a number to compare with, not "sports"',
    ],
    [
      'an undeclared group',
      { scoring: [{ id: 'r', on: 'page_view', points: 1, group: 'fame' }] },
      'rules.scoring[0].group: expected a score group declared in scoreGroups (engagement, intent), got "fame"',
    ],
    [
      'a rule id used twice',
      {
        scoring: [
          { id: 'r', on: 'page_view', points: 1 },
          { id: 'r', on: 'qr_scan', points: 1 },
        ],
      },
      'rules.scoring[1].id: rule id r is used twice',
    ],
    [
      'a cap of unknown shape',
      { scoring: [{ id: 'r', on: 'page_view', points: 1, cap: { max: 3, per: '2d' } }] },
      'rules.scoring[0].cap',
    ],
    [
      'a tag expression that does not read',
      { tags: { rules: [{ tag: 'loyal', when: 'score >=' }] } },
      'rules.tags.rules[0].when: column 9: expected a number',
    ],
    [
      'a tag expression without meaning',
      { tags: { rules: [{ tag: 'x', when: 'last_seen = 7d' }] } },
      'rules.tags.rules[0].when: last_seen compares with <, <=, > or >=, not =',
    ],
    [
      'a saved segment in a tag rule',
      { tags: { rules: [{ tag: 'x', when: 'tag:a OR segment:vip' }] } },
      'rules.tags.rules[0].when: tag rules stand alone',
    ],
    [
      'a threshold on an undeclared group',
      { thresholds: [{ score: 'fame', at: 10 }] },
      'rules.thresholds[0].score: expected total or a score group',
    ],
    [
      'an each with two placeholders',
      { tags: { rules: [{ tag: 'x/{a}', when: 'tag:{a}', each: { a: ['1'], b: ['2'] } }] } },
      'rules.tags.rules[0].each: expected one placeholder',
    ],
    [
      'an each value that breaks the tag name',
      { tags: { rules: [{ tag: '{a}', when: 'tag:{a}', each: { a: ['/x'] } }] } },
      'rules.tags.rules[0].tag: expected a tag name such as crm/mql',
    ],
    [
      'an each that names a tag twice',
      { tags: { rules: [{ tag: 'x', when: 'city:{c}', each: { c: ['a', 'b'] } }] } },
      'rules.tags.rules[0].tag: tag x has two rules',
    ],
    [
      'a tag with two rules',
      {
        tags: {
          rules: [
            { tag: 'x', when: 'tag:a' },
            { tag: 'x', when: 'tag:b' },
          ],
        },
      },
      'rules.tags.rules[1].tag: tag x has two rules',
    ],
    [
      'a label two tags share',
      { tags: { labels: { vip: { en: 'Loyal Customer' } } } },
      "rules.tags.labels.vip: label Loyal Customer is also loyal's",
    ],
  ])('refuses %s, naming the key', (_what, rules, message) => {
    expect(rulesWith(rules)).toThrow(message);
  });

  it('writes each value into the expression as the language reads it back', () => {
    const rules = new RuleSet(
      rulesWith({
        tags: {
          rules: [{ tag: 'demographic/{city}', when: 'city:{city}', each: { city: ['Shanghai', 'New York', 'a"b'] } }],
        },
      })().rules,
    );
    expect(rules.tagRules.map((rule) => [rule.tag, rule.expr])).toEqual([
      ['demographic/Shanghai', { kind: 'field', field: 'city', op: '=', value: 'Shanghai' }],
      ['demographic/New York', { kind: 'field', field: 'city', op: '=', value: 'New York' }],
      ['demographic/a"b', { kind: 'field', field: 'city', op: '=', value: 'a"b' }],
    ]);
  });

  it('reads tag labels and category names as the tags they stand for', () => {
    const { labels } = new RuleSet(loadConfig({ env: {} }).rules);
    expect(
      ['忠实用户', 'Loyal customer', '兴趣/运动', '兴趣/cooking', 'Interests/cooking', 'vip', '忠实'].map((name) =>
        labels.tagOf(name),
      ),
    ).toEqual(['loyal', 'loyal', 'interest/sports', 'interest/cooking', 'interest/cooking', 'vip', '忠实']);
    expect([labels.labelOf('loyal', 'zh-CN'), labels.labelOf('lifecycle/new', 'en')]).toEqual(['忠实用户', undefined]);
  });

  it('takes a tag named like a segment reference for a tag', () => {
    expect(
      new RuleSet(rulesWith({ tags: { rules: [{ tag: 'x', when: 'tag:"a segment:b"' }] } })().rules).tagRules[0].expr,
    ).toEqual({ kind: 'tag', name: 'a segment:b' });
  });

  it('puts a capped event in its slot: once, once per property value, or per calendar-day block in the time zone', () => {
    const event = (iso: string, properties: Record<string, unknown> = {}) => ({
      occurredAt: new Date(iso),
      properties,
    });
    const base = { id: 'r', on: 'article_view', points: 7, group: 'engagement' };
    expect(capSlot({ ...base }, event('2026-11-23T00:00:00Z'), 'Asia/Shanghai')).toBeNull();
    expect(capSlot({ ...base, cap: 'once' }, event('2026-11-23T00:00:00Z'), 'Asia/Shanghai')).toEqual({
      key: 'once',
      limit: 1,
    });
    expect(
      capSlot({ ...base, cap: { oncePer: 'articleId' } }, event('2026-11-23T00:00:00Z', { articleId: 'a1' }), 'UTC'),
    ).toEqual({ key: '"a1"', limit: 1 });
    expect(
      capSlot({ ...base, cap: { oncePer: 'articleId' } }, event('2026-11-23T00:00:00Z', { articleId: 7 }), 'UTC'),
    ).toEqual({ key: '7', limit: 1 });
    // Without the property the event can't be told apart from others: the rule leaves it alone.
    expect(capSlot({ ...base, cap: { oncePer: 'articleId' } }, event('2026-11-23T00:00:00Z'), 'UTC')).toBeUndefined();
    expect(capSlot({ ...base, cap: { oncePer: 'constructor' } }, event('2026-11-23T00:00:00Z'), 'UTC')).toBeUndefined();
    // 23:30 UTC on the 22nd is 07:30 on the 23rd in Shanghai: the same day as 15:00 UTC on the 23rd there.
    const daily = { ...base, cap: { max: 3, per: '1d' as const } };
    expect(capSlot(daily, event('2026-11-22T23:30:00Z'), 'Asia/Shanghai')).toEqual(
      capSlot(daily, event('2026-11-23T15:00:00Z'), 'Asia/Shanghai'),
    );
    expect(capSlot(daily, event('2026-11-22T23:30:00Z'), 'UTC')).not.toEqual(
      capSlot(daily, event('2026-11-23T15:00:00Z'), 'UTC'),
    );
    expect(capSlot(daily, event('2026-11-23T15:00:00Z'), 'Asia/Shanghai')).toEqual({
      key: `1d:${localDayNumber(new Date('2026-11-23T15:00:00Z'), 'Asia/Shanghai')}`,
      limit: 3,
    });
    expect(localDayNumber(new Date('1970-01-02T00:00:00Z'), 'UTC')).toBe(1);
  });
});

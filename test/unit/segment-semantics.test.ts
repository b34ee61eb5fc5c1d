import { parseSegment } from '../../src/segments/segment-parser';
import { ageRange, birthdayCutoff, resolveSegmentRefs } from '../../src/segments/segment-semantics';
import { compileSegment } from '../../src/segments/segment-sql-compiler';

const now = new Date('2026-11-23T12:00:00Z');
const compile = (text: string, segments?: Record<string, string>) =>
  compileSegment(parseSegment(text), {
    dialect: 'sqlite',
    now,
    segments: async (name) => (segments?.[name] === undefined ? undefined : parseSegment(segments[name])),
  });

describe('segment meaning', () => {
  it('refuses orderings of text, equality on recency, and unknown age bands', async () => {
    await expect(compile('city > Shanghai')).rejects.toThrow('city > needs a number to compare with, not "Shanghai"');
    await expect(compile('event:purchase[topic>=sports] in 30d')).rejects.toThrow('topic >= needs a number');
    await expect(compile('last_seen = 7d')).rejects.toThrow('last_seen compares with <, <=, > or >=, not =');
    await expect(compile('age:young')).rejects.toThrow('age: expected a number of years or an age band');
  });

  it('inlines saved segments, refusing unknown names and cycles', async () => {
    await expect(compile('segment:vip')).rejects.toThrow('no saved segment named vip');
    await expect(compile('segment:a', { a: 'tag:x OR segment:b', b: 'segment:a' })).rejects.toThrow(
      'segment a → b → a refers to itself',
    );
    const resolved = await resolveSegmentRefs(parseSegment('segment:a AND tag:y'), async (name) =>
      name === 'a' ? parseSegment('tag:x') : undefined,
    );
    expect(resolved).toEqual(parseSegment('tag:x AND tag:y'));
  });

  it('binds every value by name and writes none into the text', async () => {
    const compiled = await compile(`tag:"x' OR 1=1 --" AND city:上海 AND event:purchase[amount>=10000] >= 2 in 90d`);
    expect(compiled.sql).not.toContain('1=1');
    expect(compiled.sql).not.toContain('上海');
    expect(compiled.sql).not.toContain('10000');
    expect(Object.values(compiled.values)).toEqual(expect.arrayContaining(["x' OR 1=1 --", '"上海"', 10000, 2]));
  });

  it('turns ages and bands into birthday ranges, to the day', () => {
    expect(ageRange('>=', 30)).toEqual({ from: 30, until: null });
    expect(ageRange('=', 30)).toEqual({ from: 30, until: 31 });
    expect(ageRange('=', '25-34')).toEqual({ from: 25, until: 35 });
    expect(ageRange('=', 'under-18')).toEqual({ from: null, until: 18 });
    expect(birthdayCutoff(30, now)).toBe('1996-11-23');
  });
});

import { propertyKey, propertyRows } from '../../src/timeline/event-property-index';

describe('event property index rows', () => {
  it('keeps top-level scalars typed the way segment filters compare them', () => {
    expect(propertyRows({ topic: 'sports', amount: 12.5, gift: true, flag: 'true', count: 0 })).toEqual([
      { name: 'topic', valueKey: '"sports"', valueNumber: null },
      { name: 'amount', valueKey: null, valueNumber: 12.5 },
      { name: 'gift', valueKey: 'true', valueNumber: null },
      { name: 'flag', valueKey: '"true"', valueNumber: null },
      { name: 'count', valueKey: null, valueNumber: 0 },
    ]);
  });

  it('leaves out what no filter can name or compare', () => {
    expect(
      propertyRows({
        nested: { a: 1 },
        list: [1],
        nothing: null,
        'two words': 'x',
        _hidden: 'x',
        [`p${'x'.repeat(64)}`]: 'x',
      }),
    ).toEqual([]);
    expect(propertyRows(null)).toEqual([]);
    expect(propertyRows({ big: Number.POSITIVE_INFINITY })).toEqual([]);
  });

  it('keeps text too long to index as a digest no JSON text can equal, so equality still finds it', () => {
    const long = `中文 ${'x'.repeat(300)}`;
    const key = propertyKey(long);
    expect(key).toMatch(/^#[0-9a-f]{64}$/);
    expect(propertyKey(long)).toBe(key);
    expect(propertyKey(`${long}y`)).not.toBe(key);
    expect(propertyKey('x'.repeat(189))).toBe(`"${'x'.repeat(189)}"`);
    expect(propertyKey('x'.repeat(190))).toMatch(/^#/);
  });
});

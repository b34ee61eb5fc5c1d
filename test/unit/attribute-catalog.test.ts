import { ageBandOf, isMoreRestrictive, normalizeAttribute } from '../../src/profiles/attribute-catalog';

describe('attribute catalogue', () => {
  const today = new Date('2026-11-23T12:00:00Z');

  it('puts a birthday in its age band on a given day, counting the birthday itself', () => {
    expect(ageBandOf('2008-11-24', today)).toBe('under-18');
    expect(ageBandOf('2008-11-23', today)).toBe('18-24');
    expect(ageBandOf('2002-11-23', today)).toBe('18-24');
    expect(ageBandOf('2001-11-23', today)).toBe('25-34');
    expect(ageBandOf('1990-06-01', today)).toBe('35-44');
    expect(ageBandOf('1971-11-24', today)).toBe('45-54');
    expect(ageBandOf('1971-11-23', today)).toBe('55-64');
    expect(ageBandOf('1961-11-23', today)).toBe('65+');
  });

  it('accepts stated age bands and consent in the words people use, and says what it expected otherwise', () => {
    expect(normalizeAttribute('ageBand', '25-34', today)).toEqual({ value: '25-34' });
    expect(normalizeAttribute('ageBand', '30', today)).toEqual({
      error: 'expected one of under-18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+',
    });
    expect(normalizeAttribute('marketingConsent', '同意', today)).toEqual({ value: true });
    expect(normalizeAttribute('marketingConsent', 'no', today)).toEqual({ value: false });
    expect(normalizeAttribute('marketingConsent', 'maybe', today)).toEqual({
      error: 'expected true or false (同意/拒绝 accepted)',
    });
  });

  it('accepts a birthday up to today, by the day it is given', () => {
    expect(normalizeAttribute('birthday', '2026-11-23', today)).toEqual({ value: '2026-11-23' });
    expect(normalizeAttribute('birthday', '2026-11-24', today)).toEqual({
      error: 'expected a date from 1900-01-01 to today as YYYY-MM-DD',
    });
    expect(normalizeAttribute('birthday', '2026-11-24', new Date('2026-11-24T00:00:00Z'))).toEqual({
      value: '2026-11-24',
    });
  });

  it('treats names of built-in object members as free-form attributes', () => {
    expect(normalizeAttribute('constructor', 'Acme', today)).toEqual({ value: 'Acme' });
    expect(normalizeAttribute('toString', 3, today)).toEqual({ value: 3 });
  });

  it('knows an opt-out is more restrictive than consent, and nothing else is', () => {
    expect(isMoreRestrictive('marketingConsent', false, true)).toBe(true);
    expect(isMoreRestrictive('marketingConsent', true, false)).toBe(false);
    expect(isMoreRestrictive('marketingConsent', false, false)).toBe(false);
    expect(isMoreRestrictive('city', 'Shanghai', 'Beijing')).toBe(false);
  });
});

import { normalizeEmail, normalizeIdentity, normalizePhone } from '../../src/profiles/identity-normalizer';

describe('identity normalization', () => {
  it.each([
    ['13812345678', '+8613812345678'],
    ['138 1234 5678', '+8613812345678'],
    ['+86 138-1234-5678', '+8613812345678'],
    ['008613812345678', '+8613812345678'],
    ['021-6123 4567', '+862161234567'],
    ['+1 (415) 555-0100', '+14155550100'],
  ])('phone %s → %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it.each(['abc', '12', '+0123456789', '1'.repeat(20)])('refuses the phone %s', (raw) => {
    expect(normalizePhone(raw)).toBeUndefined();
  });

  it('lower-cases and checks emails', () => {
    expect(normalizeEmail('  Li.Na@Example.COM ')).toBe('li.na@example.com');
    expect(normalizeEmail('not-an-email')).toBeUndefined();
    expect(normalizeEmail(`${'a'.repeat(250)}@b.cn`)).toBeUndefined();
  });

  it('refuses control characters and overlong opaque ids', () => {
    expect(normalizeIdentity('openid', 'oAbc\u0000', 'default')).toEqual({ error: expect.stringContaining('openid') });
    expect(normalizeIdentity('unionid', 'u'.repeat(129))).toEqual({ error: expect.stringContaining('unionid') });
    expect(normalizeIdentity('openid', ' oAbc ', 'brand')).toEqual({ type: 'openid', scope: 'brand', value: 'oAbc' });
  });
});

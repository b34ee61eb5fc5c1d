import { IdentityMentions } from '../../src/profiles/identity-mentions';

describe('IdentityMentions', () => {
  const mentions = new IdentityMentions([
    { type: 'phone', value: '+8613800138000' },
    { type: 'phone', value: '+14155550100' },
    { type: 'email', value: 'li.na@example.com' },
    { type: 'openid', value: 'oAbc-12_x' },
    { type: 'crm_id', value: 'L-7' },
  ]);

  it('redacts a phone in every spelling that means the stored number, and only that number', () => {
    for (const spelling of [
      '13800138000',
      '138 0013 8000',
      '138-0013-8000',
      '+86 138 0013 8000',
      '+8613800138000',
      '008613800138000',
      '013800138000',
    ]) {
      expect(mentions.redact(`/whois ${spelling} please`)).toBe('/whois [erased] please');
    }
    expect(mentions.redact('call +1 415 555 0100')).toBe('call [erased]');
    // Part of a longer number, or another number, is not theirs.
    expect(mentions.redact('order 913800138000 and 13800138001')).toBe('order 913800138000 and 13800138001');
  });

  it('redacts emails in any letter case and opaque ids as whole tokens', () => {
    expect(mentions.redact('/whois Li.Na@Example.COM')).toBe('/whois [erased]');
    expect(mentions.redact('/tag add openid:default:oAbc-12_x vip')).toBe('/tag add openid:default:[erased] vip');
    expect(mentions.redact('oAbc-12_xy and crm:L-7, L-70')).toBe('oAbc-12_xy and crm:[erased], L-70');
  });

  it('offers lower-case fragments a database can narrow the search with', () => {
    expect(mentions.fragments).toEqual(['8000', '0100', 'li.na@example.com', 'oabc-12_x', 'l-7']);
  });
});

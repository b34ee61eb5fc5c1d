import { maskEmail, maskIdentity, maskPhone } from '../../src/logging/pii-mask';

describe('PII masking', () => {
  it('keeps enough to recognise and too little to contact', () => {
    expect(maskEmail('li.na@example.com')).toBe('l***@example.com');
    expect(maskPhone('+8613812345678')).toBe('+86138****5678');
    expect(maskIdentity('openid', 'oyORnuP8q7ou2gfYjqLzSIWZf0rs')).toBe('oyORnu…');
    expect(maskEmail('broken')).toBe('***');
  });
});

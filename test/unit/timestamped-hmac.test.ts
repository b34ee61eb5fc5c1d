import { createHmac } from 'node:crypto';
import { signTimestampedHmac, verifyTimestampedHmac } from '../../src/util/timestamped-hmac';

const secret = 'whsec-0123456789abcdef';
const body = Buffer.from('{"events":[]}');
const now = 1_795_000_000_000;
const timestamp = Math.floor(now / 1000);

/** Computed the way the README tells integrators to, independently of the production helper. */
const reference = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body.toString()}`).digest('hex')}`;

describe('timestamped HMAC signatures', () => {
  const verify = (overrides: Partial<Parameters<typeof verifyTimestampedHmac>[0]>) => () =>
    verifyTimestampedHmac({
      secret,
      timestamp: String(timestamp),
      signature: reference,
      rawBody: body,
      toleranceSeconds: 300,
      now,
      ...overrides,
    });

  it('signs as documented and accepts a matching signature', () => {
    expect(signTimestampedHmac(secret, timestamp, body)).toBe(reference);
    expect(verify({})).not.toThrow();
    expect(verify({ signature: `sha256=${'0'.repeat(64)}, ${reference}` })).not.toThrow();
  });

  it('refuses a changed body, a changed digit, a stale or missing timestamp', () => {
    expect(verify({ rawBody: Buffer.from('{"events":[1]}') })).toThrow('signature does not match');
    const flipped = reference.slice(0, -1) + (reference.endsWith('0') ? '1' : '0');
    expect(verify({ signature: flipped })).toThrow('signature does not match');
    expect(verify({ now: now + 301_000 })).toThrow('more than 300 seconds');
    expect(verify({ timestamp: undefined })).toThrow('X-Persona-Timestamp');
    expect(verify({ timestamp: '12abc' })).toThrow('X-Persona-Timestamp');
    expect(verify({ signature: undefined })).toThrow('missing X-Persona-Signature');
    expect(verify({ now: now + 301_000, toleranceSeconds: 0 })).not.toThrow();
  });
});

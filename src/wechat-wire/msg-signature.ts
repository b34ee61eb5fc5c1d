import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's signature: SHA-1 of the parts sorted lexicographically and concatenated, as hex.
 * `signature` signs (token, timestamp, nonce); `msg_signature` adds the Encrypt text.
 */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Constant-time comparison of two hex signatures (case-insensitive, as WeChat's are lower case). */
export function signaturesMatch(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

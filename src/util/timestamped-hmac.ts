import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors/app.errors';

/**
 * Stripe-style webhook signatures: `X-Persona-Timestamp: <unix seconds>` and
 * `X-Persona-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. Several comma-separated signatures
 * may be sent while a secret is being rotated; one match is enough.
 */
export function signTimestampedHmac(secret: string, timestamp: number, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `sha256=${mac}`;
}

export interface TimestampedHmacInput {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  /** Oldest (and most future) accepted timestamp, in seconds; 0 turns the check off. */
  toleranceSeconds: number;
  /** The receiver's clock, in milliseconds since the epoch. */
  now: number;
}

/** Throws UnauthorizedError unless the signature holds and the timestamp is fresh. Runs before the body is parsed. */
export function verifyTimestampedHmac(input: TimestampedHmacInput): void {
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp)) {
    throw new UnauthorizedError('missing or malformed X-Persona-Timestamp (unix seconds)');
  }
  if (!input.signature) throw new UnauthorizedError('missing X-Persona-Signature');
  const timestamp = Number(input.timestamp);
  const nowSeconds = Math.floor(input.now / 1000);
  if (input.toleranceSeconds > 0 && Math.abs(nowSeconds - timestamp) > input.toleranceSeconds) {
    throw new UnauthorizedError(`X-Persona-Timestamp is more than ${input.toleranceSeconds} seconds from now`);
  }
  const expected = Buffer.from(signTimestampedHmac(input.secret, timestamp, input.rawBody));
  let matched = false;
  for (const candidate of input.signature.split(',').map((part) => Buffer.from(part.trim()))) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) throw new UnauthorizedError('signature does not match');
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../src/plugins/plugin-sdk';

/**
 * The characters HubSpot decodes in the request URI before signing (its v3 validation guide); every other
 * percent-escape stays as sent.
 */
const decoded: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export interface HubspotSignatureInput {
  clientSecret: string;
  method: string;
  /** The full URI HubSpot called: `https://host/path?query`. */
  uri: string;
  rawBody: Buffer;
  /** X-HubSpot-Request-Timestamp: milliseconds since the epoch. */
  timestamp: string | undefined;
  /** X-HubSpot-Signature-v3: base64 HMAC-SHA256. */
  signature: string | undefined;
  toleranceSeconds: number;
  /** The receiver's clock, in milliseconds since the epoch. */
  now: number;
}

/**
 * HubSpot's v3 request signature: base64(HMAC-SHA256(client secret, method + URI + raw body + timestamp)), with a
 * timestamp at most `toleranceSeconds` old. Throws UnauthorizedError otherwise; runs before the body is parsed.
 */
export function verifyHubspotSignature(input: HubspotSignatureInput): void {
  if (!input.timestamp || !/^\d{1,15}$/.test(input.timestamp)) {
    throw new UnauthorizedError('missing or malformed X-HubSpot-Request-Timestamp (milliseconds)');
  }
  if (!input.signature) throw new UnauthorizedError('missing X-HubSpot-Signature-v3');
  const age = input.now - Number(input.timestamp);
  if (Math.abs(age) > input.toleranceSeconds * 1000) {
    throw new UnauthorizedError(`X-HubSpot-Request-Timestamp is more than ${input.toleranceSeconds} seconds from now`);
  }
  const uri = input.uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => decoded[escape.toUpperCase()]);
  const expected = createHmac('sha256', input.clientSecret)
    .update(`${input.method.toUpperCase()}${uri}`)
    .update(input.rawBody)
    .update(input.timestamp)
    .digest('base64');
  // Compared as text: decoding base64 would ignore changes to the padding bits of the last character.
  const given = Buffer.from(input.signature.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    throw new UnauthorizedError('X-HubSpot-Signature-v3 does not match');
  }
}

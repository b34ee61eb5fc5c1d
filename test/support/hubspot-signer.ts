import { createHmac } from 'node:crypto';

/**
 * Signs a request the way HubSpot's v3 guide describes, written apart from the plugin's verifier: the source string
 * is method + URI + body + timestamp (milliseconds), the signature base64(HMAC-SHA256(client secret, source)).
 */
export function hubspotV3Signature(
  clientSecret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: number,
): string {
  const source = `${method}${uri}${body}${timestamp}`;
  return createHmac('sha256', clientSecret).update(source, 'utf8').digest('base64');
}

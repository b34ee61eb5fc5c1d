import { verifyHubspotSignature } from '../../plugins/crm-hubspot/hubspot-signature';
import { hubspotV3Signature } from '../support/hubspot-signer';

const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const body =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const now = 1_764_000_000_000;

function check(overrides: Partial<Parameters<typeof verifyHubspotSignature>[0]> = {}) {
  const uri = 'https://www.example.com/webhook_uri';
  return () =>
    verifyHubspotSignature({
      clientSecret,
      method: 'POST',
      uri,
      rawBody: Buffer.from(body),
      timestamp: String(now - 1000),
      signature: hubspotV3Signature(clientSecret, 'POST', uri, body, now - 1000),
      toleranceSeconds: 300,
      now,
      ...overrides,
    });
}

describe('HubSpot v3 signature', () => {
  it('accepts a signature computed as HubSpot documents it', () => {
    expect(check()).not.toThrow();
  });

  it('refuses a body, method, URI or timestamp that differs by one byte', () => {
    expect(check({ rawBody: Buffer.from(body.replace('"objectId":123', '"objectId":124')) })).toThrow(
      'X-HubSpot-Signature-v3 does not match',
    );
    expect(check({ method: 'PUT' })).toThrow('does not match');
    expect(check({ uri: 'https://www.example.com/webhook_urj' })).toThrow('does not match');
    expect(check({ timestamp: String(now - 999) })).toThrow('does not match');
  });

  it('refuses every other signature character, including changes only the base64 padding bits would hide', () => {
    const good = hubspotV3Signature(clientSecret, 'POST', 'https://www.example.com/webhook_uri', body, now - 1000);
    // 32 bytes are 43 base64 characters and "=": the last character's two low bits are padding, so flipping one
    // of them still decodes to the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = good.length - 2;
    const sibling = alphabet[alphabet.indexOf(good[last]) ^ 1];
    expect(Buffer.from(`${good.slice(0, last)}${sibling}=`, 'base64')).toEqual(Buffer.from(good, 'base64'));
    expect(check({ signature: `${good.slice(0, last)}${sibling}=` })).toThrow('does not match');
    expect(check({ signature: undefined })).toThrow('missing X-HubSpot-Signature-v3');
  });

  it('refuses timestamps older (or further ahead) than the tolerance, and malformed ones', () => {
    const stale = now - 301_000;
    const uri = 'https://www.example.com/webhook_uri';
    expect(
      check({ timestamp: String(stale), signature: hubspotV3Signature(clientSecret, 'POST', uri, body, stale) }),
    ).toThrow('more than 300 seconds');
    expect(check({ timestamp: '17e11' })).toThrow('malformed');
  });

  it('signs the URI with the characters HubSpot decodes (%3A, %2F, %40, …) decoded and the others kept', () => {
    const sent = 'https://www.example.com/webhook_uri?email=a%40b.com&next=%2Fhome%3Fx%3D1&space=a%20b';
    const signedAs = 'https://www.example.com/webhook_uri?email=a@b.com&next=/home?x%3D1&space=a%20b';
    const signature = hubspotV3Signature(clientSecret, 'POST', signedAs, body, now - 1000);
    expect(check({ uri: sent, signature })).not.toThrow();
  });
});

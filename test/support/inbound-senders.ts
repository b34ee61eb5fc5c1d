import { signTimestampedHmac } from '../../src/util/timestamped-hmac';
import { hubspotV3Signature } from './hubspot-signer';
import { crmSecret, hubspotClientSecret, type TestApp, websiteSecret } from './test-app';
import { signedPost, sampleAccount } from './wechat-client';

/** The WeChat plugin on for the protocol's sample account (webhooks only; its secrets come from the test env). */
export const wechatSampleAccountPlugin = {
  enabled: true,
  accounts: [
    {
      name: 'default',
      appId: 'env:WECHAT_APP_ID',
      token: 'env:WECHAT_TOKEN',
      encodingAESKey: 'env:WECHAT_ENCODING_AES_KEY',
    },
  ],
};

/** The plugins every way in needs, for tests that send the same thing through all of them. */
export function everyWayIn(hubspotUrl: string) {
  return {
    plugins: {
      website: { enabled: true, secret: 'env:WEBSITE_WEBHOOK_SECRET' },
      'crm-webhook': { enabled: true, sources: [{ name: 'crm', secret: 'env:CRM_WEBHOOK_SECRET' }] },
      'crm-hubspot': {
        enabled: true,
        clientSecret: 'env:HUBSPOT_CLIENT_SECRET',
        accessToken: 'env:HUBSPOT_ACCESS_TOKEN',
        apiBaseUrl: hubspotUrl,
        retryBaseMs: 1,
      },
      'wechat-official-account': wechatSampleAccountPlugin,
    },
  };
}

/** Signed requests to each way in, as the outside systems send them. */
export function inboundSenders(app: TestApp) {
  function signed(path: string, body: unknown, secret: string) {
    const raw = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    return fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-persona-timestamp': String(timestamp),
        'x-persona-signature': signTimestampedHmac(secret, timestamp, raw),
      },
      body: raw,
    });
  }
  return {
    api: (body: unknown) => app.request('/api/events', { method: 'POST', json: body }),
    beacon: (body: unknown) => signed('/webhooks/website', body, websiteSecret),
    crm: (events: unknown[]) => signed('/webhooks/crm/crm', { events }, crmSecret),
    hubspot(events: unknown[]) {
      const body = JSON.stringify(events);
      const timestamp = Date.now();
      const uri = `${app.url}/webhooks/hubspot`;
      return fetch(uri, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hubspot-request-timestamp': String(timestamp),
          'x-hubspot-signature-v3': hubspotV3Signature(hubspotClientSecret, 'POST', uri, body, timestamp),
        },
        body,
      });
    },
    wechat(xml: string) {
      const request = signedPost(sampleAccount, xml);
      return fetch(`${app.url}/wechat?${request.query}`, { method: 'POST', body: request.body });
    },
  };
}

/** Rows in `table` (optionally those matching `where`). */
export async function countRows(app: TestApp, table: string, where = '1 = 1'): Promise<number> {
  const [{ n }] = await app.persona.db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`);
  return Number(n);
}

/** The problems a 400 or a partial 202 names, as `path: message` lines (by index for batches). */
export async function problemsOf(response: Response): Promise<string[]> {
  const body = (await response.json()) as {
    errors?: { index: number; problems: { path: string; message: string }[] }[];
    error?: {
      message: string;
      details?: { errors?: { index: number; problems: { path: string; message: string }[] }[] };
    };
  };
  const errors = body.errors ?? body.error?.details?.errors;
  if (!errors) return [body.error?.message ?? ''];
  return errors.flatMap((error) =>
    error.problems.map((problem) => `${error.index} ${problem.path}: ${problem.message}`),
  );
}

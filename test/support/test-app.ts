import { Persona, type PersonaOptions } from '../../src/app';
import { loadConfig } from '../../src/config/config-loader';
import { deepMerge, type PlainObject } from '../../src/config/deep-merge';
import { createLogger } from '../../src/logging/logger';
import { hubspotToken } from './fake-hubspot';
import { openaiKey } from './fake-openai';
import { createTestDatabase, type TestDatabase } from './test-database';

export const adminToken = 'test-admin-token-0123456789';
export const writeKey = 'test-write-key-0123456789';
export const websiteSecret = 'test-website-secret-0123456789';
export const crmSecret = 'test-crm-secret-0123456789';
export const outboundSecret = 'test-outbound-secret-0123456789';
export const hubspotClientSecret = 'test-hubspot-client-secret-0123';

/** The rules of config/default.yaml (the worked example, lifecycle, loyal), for tests of scoring and tagging. */
export const defaultRules = loadConfig({ env: {} }).rules as unknown as PlainObject;

/** The environment a test app sees: only what it is given (never the developer's shell). */
export const testEnv: NodeJS.ProcessEnv = {
  ADMIN_TOKEN: adminToken,
  TEST_WRITE_KEY: writeKey,
  WEBSITE_WEBHOOK_SECRET: websiteSecret,
  // The official sample account of ../shared/wechat/PROTOCOL.md.
  WECHAT_APP_ID: 'wx2c2769f8efd9abc2',
  WECHAT_TOKEN: 'spamtest',
  WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  // The fake WeChat API's default secret (test/support/fake-wechat-api.ts).
  WECHAT_APP_SECRET: 'fake-app-secret',
  BRAND_B_APP_ID: 'wx00000000000000b2',
  BRAND_B_TOKEN: 'brand-b-token',
  BRAND_B_AES_KEY: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
  CRM_WEBHOOK_SECRET: crmSecret,
  OUTBOUND_WEBHOOK_SECRET: outboundSecret,
  HUBSPOT_CLIENT_SECRET: hubspotClientSecret,
  HUBSPOT_ACCESS_TOKEN: hubspotToken,
  // The WeCom sample app of test/support/wecom-client.ts (set B: sbzhu's SDK sample).
  WECOM_APP_SECRET: 'fake-wecom-secret',
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  // Not named by the default config (AI stays off); the AI tests point ai.apiKey at it.
  TEST_OPENAI_API_KEY: openaiKey,
};

export interface TestApp {
  persona: Persona;
  url: string;
  database: TestDatabase;
  /** fetch against the app, with the admin token unless `auth` says otherwise. */
  request(path: string, init?: RequestInit & { auth?: string | null; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A real Persona on a fresh database (SQLite, or MySQL with TEST_DATABASE_URL), migrated, listening on a free
 * loopback port. The workers and the jobs don't run on their own: tests drain the inbox (and the webhook outbox) when
 * they want it processed.
 */
export async function startTestApp(
  overrides: PlainObject = {},
  database?: TestDatabase,
  options: PersonaOptions = {},
  /** Variables beside testEnv (a fake's address a config names by env:). */
  env: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const base: PlainObject = {
    server: { host: '127.0.0.1', port: 0 },
    database: { url: db.url },
    log: { level: process.env.TEST_LOG_LEVEL ?? 'silent' },
    auth: { writeKeys: [{ name: 'test-writer', key: 'env:TEST_WRITE_KEY' }] },
    ingest: { worker: { enabled: false } },
    webhooks: { enabled: false },
    jobs: { enabled: false },
    // No scoring or rule tags unless a test asks for them (defaultRules): timelines hold only what the test sends.
    rules: { scoring: [], thresholds: [], tags: { rules: [] } },
  };
  let persona: Persona;
  try {
    const config = loadConfig({ env: { ...testEnv, ...env }, overrides: deepMerge(base, overrides) });
    persona = new Persona(config, createLogger({ level: config.log.level }), options);
  } catch (error) {
    if (!database) await db.drop();
    throw error;
  }
  try {
    await persona.start();
  } catch (error) {
    await persona.stop().catch(() => undefined);
    if (!database) await db.drop();
    throw error;
  }
  const url = persona.url;
  return {
    persona,
    url,
    database: db,
    request(path, init = {}) {
      const { auth = adminToken, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth) headers.set('authorization', `Bearer ${auth}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(`${url}${path}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    async stop() {
      await persona.stop();
      if (!database) await db.drop();
    },
  };
}

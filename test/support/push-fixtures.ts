import type { InboundEvent } from '../../src/ingest/inbound-event';
import type { FakeWechatApi } from './fake-wechat-api';
import type { TestApp } from './test-app';

/** The account's mass-send companion: an operator who receives a copy of a one-follower mass send. */
export const operatorOpenid = 'oOperatorCompanion';

/** The wechat plugin's block for a test app whose outbound API is `fake`: one service account, fast retries. */
export function wechatApiPlugin(fake: FakeWechatApi, api: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    replayWindowSeconds: 0,
    api: { baseUrl: fake.baseUrl, retryBaseMs: 1, maxAttempts: 4, timeoutMs: 10_000, ...api },
    accounts: [
      {
        name: 'default',
        appId: 'env:WECHAT_APP_ID',
        appSecret: 'env:WECHAT_APP_SECRET',
        token: 'env:WECHAT_TOKEN',
        massCompanion: operatorOpenid,
      },
    ],
  };
}

/** Push settings for tests: workers off (tests drain), the default policy unless overridden. */
export function pushSettings(policy: Record<string, unknown> = {}): Record<string, unknown> {
  return { policy, worker: { enabled: false, ratePerSecond: 10_000, concurrency: 20, retryBaseMs: 10 } };
}

const openid = (value: string) => ({ type: 'openid' as const, scope: 'default', value });

/** Puts events on a follower's timeline through the inbox and the pipeline, as WeChat's webhook would. */
export async function record(
  app: TestApp,
  follower: string,
  events: {
    key: string;
    type: string;
    at: Date;
    properties?: Record<string, unknown>;
    attributes?: InboundEvent['attributes'];
    tags?: InboundEvent['tags'];
  }[],
): Promise<void> {
  await app.persona.accept(
    'test',
    events.map((event) => ({
      key: `${follower}:${event.key}`,
      type: event.type,
      channel: 'wechat',
      occurredAt: event.at,
      identities: [openid(follower)],
      properties: { account: 'default', ...event.properties },
      ...(event.attributes ? { attributes: event.attributes } : {}),
      ...(event.tags ? { tags: event.tags } : {}),
    })),
  );
  await app.persona.worker.drain();
}

/** The profile id of a follower by openid. */
export async function profileOf(app: TestApp, follower: string): Promise<number> {
  const response = await app.request(`/api/profiles?identity=openid:default:${follower}`);
  const body = (await response.json()) as { profiles: { id: number }[] };
  return body.profiles[0].id;
}

/** The push timeline events on a follower's timeline (push_sent, push_failed, push_skipped), oldest first. */
export async function pushEventsOf(
  app: TestApp,
  follower: string,
): Promise<{ type: string; properties: Record<string, unknown> }[]> {
  const response = await app.request(`/api/profiles/${await profileOf(app, follower)}/timeline?limit=100`);
  const body = (await response.json()) as { events: { type: string; properties: Record<string, unknown> }[] };
  return body.events.filter((event) => event.type.startsWith('push_')).reverse();
}

/** The shapes around the WeChat API client: its token store, its options, and what it answers about followers. */
import type { Clock } from '../../src/plugins/plugin-sdk';

/** Where the access token lives: shared by every instance, refreshed by one (the core provides it). */
export interface AccessTokenStore {
  /** The stored token; when missing or about to expire, `fetch` is called (by one instance, under a lease) and its result stored. */
  get(name: string, fetch: () => Promise<{ value: string; expiresAt: Date }>): Promise<string>;
  /** Forgets the stored token only if it is still `failed` (another instance may have replaced it already). */
  invalidate(name: string, failed: string): Promise<void>;
}

export interface WechatApiOptions {
  /** e.g. https://api.weixin.qq.com/cgi-bin/ */
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** `stable`: POST stable_token (a refresh elsewhere doesn't invalidate ours); `classic`: GET token. */
  tokenEndpoint: 'stable' | 'classic';
  /** One HTTP request's time limit. */
  timeoutMs: number;
  /** Tries for transient failures (-1, 5xx, network errors, timeouts), including the first. */
  maxAttempts: number;
  /** Backoff base; full jitter: a random wait in [0, base × 2^(attempt-1)], the ceiling capped at 30 s. */
  retryBaseMs: number;
  /** Requests per minute per API path, e.g. { 'message/mass/send': 60 }; a path not listed is not limited. */
  rateLimits: Record<string, number>;
  /** Waits for backoff and rate-limit slots; tests pass one that records (and moves their clock) instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** What time it is: a fetched token expires `expires_in` seconds from it. */
  clock: Clock;
  /** A monotonic reading in milliseconds for rate-limit windows (monotonicMs when absent); tests move their own. */
  now?: () => number;
}

/** A follower as `user/info/batchget` answers (WeChat's field names); a non-follower has only `subscribe: 0` and `openid`. */
export interface WechatUserInfo {
  subscribe: 0 | 1;
  openid: string;
  language?: string;
  subscribe_time?: number;
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
}

import { z } from 'zod';
import { channelPattern, envOrText, intBetween, secret, slug, timeZone } from '../../src/plugins/plugin-sdk';

const text = (max: number) => z.string().min(1).max(max);

/** A passive reply: what the follower sees in the chat at once. */
export const replySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), content: text(2048) }).strict(),
  z.object({ type: z.literal('image'), mediaId: text(128) }).strict(),
  z
    .object({
      type: z.literal('news'),
      articles: z
        .array(
          z
            .object({
              title: text(128),
              description: z.string().max(512).optional(),
              picUrl: z.string().url().optional(),
              url: z.string().url().optional(),
            })
            .strict(),
        )
        .min(1)
        .max(8),
    })
    .strict(),
  z.object({ type: z.literal('transfer_customer_service') }).strict(),
]);

export type Reply = z.output<typeof replySchema>;

const repliesSchema = z
  .object({
    /** Sent to a new follower. */
    welcome: replySchema.optional(),
    /** Welcomes for follows from particular QR scenes (`store-*`), checked before `welcome`. */
    welcomeByScene: z.array(z.object({ scene: text(128), reply: replySchema }).strict()).default([]),
    /** Replies to text messages, first match wins: `exact` (the whole message) or `contains`. */
    keywords: z
      .array(
        z
          .object({ keyword: text(128), match: z.enum(['exact', 'contains']).default('exact'), reply: replySchema })
          .strict(),
      )
      .default([]),
    /** For any other message; none when absent. */
    default: replySchema.optional(),
  })
  .strict()
  .prefault({});

const accountSchema = z
  .object({
    /** `default` answers at /wechat, others at /wechat/<name>; also the scope of this account's openids. */
    name: slug.default('default'),
    type: z.enum(['service', 'subscription']).default('service'),
    appId: envOrText(
      z.string().regex(/^wx[0-9a-zA-Z]{16}$/, { error: 'expected an appId such as wx2c2769f8efd9abc2' }),
    ),
    /** For the outbound API (access tokens). */
    appSecret: secret().optional(),
    /**
     * An operator's openid added to a mass send that would reach one follower (WeChat refuses openid lists shorter
     * than two, 40130): the operator receives a copy. Without it such a send fails with 40130.
     */
    massCompanion: z.string().min(1).max(64).optional(),
    /** The token set in the WeChat admin console (3–32 characters). */
    token: secret({ minLength: 3 }),
    /** 43 characters; required for safe and compatible mode. */
    encodingAESKey: secret({ minLength: 43 })
      .refine((value) => /^[A-Za-z0-9+/]{43}$/.test(value.reveal()), { error: 'expected 43 characters of base64' })
      .optional(),
    /** Refuse plain-mode messages. */
    requireEncryption: z.boolean().default(false),
    /** Where its followers are: quiet hours, the mass quota's month and recurring pushes; defaults to the global timezone. */
    timezone: timeZone.optional(),
    replies: repliesSchema,
  })
  .strict()
  .refine((account) => !account.requireEncryption || account.encodingAESKey, {
    error: 'requireEncryption needs encodingAESKey',
    path: ['encodingAESKey'],
  });

export type WechatAccount = z.output<typeof accountSchema>;

/** The outbound API (pushes, follower details, QR codes), shared by every account. */
const apiSchema = z
  .object({
    /** Env WECHAT_API_BASE_URL; tests and the demo point it at a fake. */
    baseUrl: envOrText(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })).default(
      'https://api.weixin.qq.com/cgi-bin/',
    ),
    /** `stable` (POST stable_token: a refresh elsewhere doesn't cut ours short) or `classic` (GET token). */
    tokenEndpoint: z.enum(['stable', 'classic']).default('stable'),
    /** One request's time limit, in milliseconds. */
    timeoutMs: intBetween(100, 120_000).default(10_000),
    /** Tries of a call that failed transiently (-1, 5xx, network), the first included. */
    maxAttempts: intBetween(1, 10).default(4),
    /** Backoff base in milliseconds (full jitter, doubling per try, capped at 30 s). */
    retryBaseMs: intBetween(1, 60_000).default(500),
    /** Requests per minute per API path; paths not listed are not limited here. */
    rateLimits: z.record(z.string().regex(/^[a-z_/]+$/), intBetween(1, 1_000_000)).default({ 'message/mass/send': 60 }),
  })
  .strict()
  .prefault({});

export const wechatConfigSchema = z
  .object({
    api: apiSchema,
    accounts: z
      .array(accountSchema)
      .min(1)
      .refine((accounts) => new Set(accounts.map((account) => account.name)).size === accounts.length, {
        error: 'account names must be unique',
      }),
    /** Oldest (or most future) accepted `timestamp` on a webhook request, in seconds; 0 = off. */
    replayWindowSeconds: intBetween(0, 86_400).default(300),
    /** Largest webhook body, in KB; larger bodies get 413. */
    bodyLimitKb: intBetween(1, 1024).default(64),
    /** QR scene patterns → channel names used by rules and segments. */
    sceneChannels: z
      .array(z.object({ pattern: text(128), channel: z.string().max(64).regex(channelPattern) }).strict())
      .default([]),
  })
  .strict();

export type WechatConfig = z.output<typeof wechatConfigSchema>;

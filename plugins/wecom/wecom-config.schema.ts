import { z } from 'zod';
import { envOrText, intBetween, secret, slug } from '../../src/plugins/plugin-sdk';

/** A self-built app (自建应用) operators chat with: its callback at `/wecom/<name>`. */
const appSchema = z
  .object({
    /** Names the callback path (`/wecom/<name>`) and the chat channel (`wecom:<name>`). */
    name: slug,
    /** The company's id (我的企业 → 企业ID), `ww…`: also the receiver id inside every callback's ciphertext. */
    corpId: envOrText(
      z.string().regex(/^w[wx][0-9a-zA-Z]{16}$/, { error: 'expected a CorpID such as ww1436e0e65a779aee' }),
    ),
    /** The app's AgentId (应用管理 → the app). */
    agentId: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    /** The app's Secret, for the send API's access token. */
    secret: secret({ minLength: 16 }),
    /** The callback Token set under 接收消息 → 设置API接收 (up to 32 letters and digits). */
    token: secret({ minLength: 3 }),
    /** The callback EncodingAESKey (43 characters). */
    encodingAESKey: secret({ minLength: 43 }).refine((value) => /^[A-Za-z0-9+/]{43}$/.test(value.reveal()), {
      error: 'expected 43 characters of base64',
    }),
  })
  .strict();

export type WecomApp = z.output<typeof appSchema>;

/** What a group robot is told. */
export const robotTopics = ['push.finished', 'alerts', 'digest'] as const;
export type RobotTopic = (typeof robotTopics)[number];

/** A group robot (群机器人): the team's group chat hears of finished pushes, alerts and the morning digest. */
const robotSchema = z
  .object({
    name: slug,
    /** The robot's webhook address (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`): a secret. */
    webhookUrl: secret({ minLength: 16 }).refine(
      (value) => {
        try {
          const url = new URL(value.reveal());
          return /^https?:$/.test(url.protocol) && url.searchParams.has('key');
        } catch {
          return false;
        }
      },
      { error: 'expected the robot’s webhook URL, with its key=' },
    ),
    notify: z
      .array(z.enum(robotTopics))
      .min(1)
      .default([...robotTopics]),
    /** The language it writes in; defaults to the account's. */
    locale: z.enum(['zh-CN', 'en']).optional(),
    /** WeCom takes 20 messages a minute per robot. */
    perMinute: intBetween(1, 20).default(20),
  })
  .strict();

export type WecomRobot = z.output<typeof robotSchema>;

const apiSchema = z
  .object({
    /** Env WECOM_API_BASE_URL; tests and the demo point it at a fake. */
    baseUrl: envOrText(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })).default(
      'https://qyapi.weixin.qq.com/cgi-bin/',
    ),
    timeoutMs: intBetween(100, 120_000).default(10_000),
    /** Tries of a call that failed transiently (-1, 45009, 45033, 5xx, network), the first included. */
    maxAttempts: intBetween(1, 10).default(4),
    /** Backoff base in milliseconds (full jitter, doubling per try, capped at 30 s; 45009 waits a minute). */
    retryBaseMs: intBetween(1, 60_000).default(500),
    /** How long a call WeCom refused with 45009 (a frequency limit) waits before its next try. */
    rateLimitWaitMs: intBetween(1, 3_600_000).default(60_000),
    /** WeCom delivers at most this many app messages a minute and an hour to one member (more are dropped unsaid). */
    perMemberPerMinute: intBetween(1, 30).default(30),
    perMemberPerHour: intBetween(1, 1000).default(1000),
  })
  .strict()
  .prefault({});

const unique = (items: { name: string }[]) => new Set(items.map((item) => item.name)).size === items.length;

export const wecomConfigSchema = z
  .object({
    api: apiSchema,
    apps: z.array(appSchema).default([]).refine(unique, { error: 'app names must be unique' }),
    robots: z.array(robotSchema).default([]).refine(unique, { error: 'robot names must be unique' }),
    /** Oldest (or most future) accepted callback `timestamp`, in seconds; 0 = off. */
    replayWindowSeconds: intBetween(0, 86_400).default(300),
    /** Largest callback body, in KB; larger bodies get 413. */
    bodyLimitKb: intBetween(1, 1024).default(64),
  })
  .strict()
  .refine((config) => config.apps.length + config.robots.length > 0, {
    error: 'configure at least one app or robot',
  });

export type WecomConfig = z.output<typeof wecomConfigSchema>;

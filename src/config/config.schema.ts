import { z } from 'zod';
import { aiConfigSchema } from '../ai/ai-config.schema';
import { botConfigSchema } from '../bot/bot-config.schema';
import { rulesDocumentSchema } from '../rules/rules-document.schema';
import { rulesBeyondCeiling, rulesCeilingSchema } from '../rules/rules-ceiling.schema';
import { webhookConfigSchema } from '../webhooks/webhook-config.schema';
import { clockTime, intBetween, secret, slug, tagName, timeZone } from './config-fields';

/**
 * The one schema for Persona's configuration. Defaults live here; `config/default.yaml` repeats them with
 * comments for operators (a test keeps the two equal).
 */
export const configSchema = z
  .object({
    /** HTTP server. */
    server: z
      .object({
        /** Interface to listen on. */
        host: z.string().min(1).default('0.0.0.0'),
        /** TCP port; 0 picks a free one (tests). */
        port: intBetween(0, 65535).default(3000),
        /** Largest JSON body the API accepts, in kilobytes. */
        bodyLimitKb: intBetween(1, 16384).default(1024),
        /** Trust X-Forwarded-* headers (only behind a proxy you control). */
        trustProxy: z.boolean().default(false),
        /** On SIGTERM, how long in-flight requests and worker batches get to finish, in milliseconds. */
        shutdownTimeoutMs: intBetween(0, 300_000).default(10_000),
      })
      .strict()
      .prefault({}),

    /** The store. */
    database: z
      .object({
        /** `sqlite:<file>`, `sqlite::memory:` (a throwaway file) or `mysql://user:pass@host:port/db`. Env: DATABASE_URL. */
        url: z
          .string()
          .regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/)/, {
            error: 'expected sqlite:<file>, sqlite::memory: or mysql://user:password@host:port/database',
          })
          .default('sqlite:data/persona.sqlite'),
        /** Most connections open at once (MySQL). */
        poolMax: intBetween(1, 500).default(10),
        /** Log every SQL statement at debug level. */
        logQueries: z.boolean().default(false),
        /** Run pending migrations at start. */
        migrateOnStart: z.boolean().default(true),
      })
      .strict()
      .prefault({}),

    log: z
      .object({
        /** Env: LOG_LEVEL. */
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),

    /** Who may call the HTTP API. */
    auth: z
      .object({
        /** Full access. `env:ADMIN_TOKEN`; without it the admin API refuses every call. At least 16 characters. */
        adminToken: secret({ minLength: 16 }).optional(),
        /**
         * Keys that may only send events (`POST /api/events`), each named for logs and metrics. `source` is who the
         * key's events state attributes as, ranked by `attributes.precedence` (default `api`): a key can't claim a
         * more trusted source (`operator`, `crm`) by naming it as its events' channel.
         */
        writeKeys: z
          .array(z.object({ name: slug, key: secret({ minLength: 16 }), source: slug.default('api') }).strict())
          .default([]),
      })
      .strict()
      .prefault({}),

    /** Intake of events: the durable inbox and the worker that drains it. */
    ingest: z
      .object({
        /** Most events in one `POST /api/events`. */
        maxBatch: intBetween(1, 10_000).default(1000),
        /** How long processed inbox rows are kept (for inspection and dedupe) before the purge job deletes them, in hours. */
        inboxRetentionHours: intBetween(0, 24 * 365).default(72),
        worker: z
          .object({
            /** Drain the inbox in this process. */
            enabled: z.boolean().default(true),
            /** Rows claimed at once. */
            batchSize: intBetween(1, 1000).default(100),
            /**
             * Claimed rows committed in one transaction (at most `batchSize`); unset: 100 on MySQL, 1 on SQLite. A
             * group shares its commit, identity lookup, profile locks, timeline insert and rule-tag pass, so more is
             * faster; on SQLite a transaction holds the only write lock, so webhook writes would wait for the group.
             */
            entriesPerTransaction: intBetween(1, 1000).optional(),
            /** How often an idle worker looks for work, in milliseconds (writes in this process wake it at once). */
            pollIntervalMs: intBetween(10, 60_000).default(500),
            /** How long a claimed batch is reserved before another worker may take it over, in milliseconds. */
            leaseMs: intBetween(1000, 3_600_000).default(60_000),
            /** Attempts before a row is parked as failed. */
            maxAttempts: intBetween(1, 100).default(8),
            /** First retry delay in milliseconds; doubles per attempt. */
            retryBaseMs: intBetween(10, 3_600_000).default(2000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    /** Scheduled jobs. */
    jobs: z
      .object({
        /** Run scheduled jobs in this process (each tick still runs once across all instances). */
        enabled: z.boolean().default(true),
        /** How long a running job holds its lease before another instance may assume it crashed, in milliseconds; renewed while it runs. */
        leaseMs: intBetween(1000, 86_400_000).default(300_000),
        /** How long job run history is kept, in days. */
        historyRetentionDays: intBetween(1, 3650).default(14),
        /** The scheduled rules recompute: scores faded, lifecycle and other time-based rule tags kept true. */
        rulesRecompute: z
          .object({
            /** Cron expression in the account's time zone. */
            schedule: z.string().min(1).default('15 3 * * *'),
            /** Profiles whose scores are faded per transaction. */
            batchSize: intBetween(1, 10_000).default(1000),
            /** Profiles brought up to date at once (each holds a connection; SQLite runs one at a time anyway). */
            concurrency: intBetween(1, 64).default(4),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    /** How identities link events to people. */
    identities: z
      .object({
        /**
         * strong identities (one per person) decide which profile an event belongs to first, then scoped ones
         * (an openid within its account), then weak ones (an anonymous web id).
         */
        strength: z
          .record(
            z.enum(['email', 'phone', 'openid', 'unionid', 'crm_id', 'anonymous_id']),
            z.enum(['strong', 'scoped', 'weak']),
          )
          .default({
            unionid: 'strong',
            phone: 'strong',
            email: 'strong',
            crm_id: 'strong',
            openid: 'scoped',
            anonymous_id: 'weak',
          }),
        /**
         * When one event's strong identities belong to different profiles: `auto` merges them (reversibly; the
         * older profile survives), `suggest` lists the merge for an operator to approve (GET /api/merges).
         */
        merge: z.enum(['auto', 'suggest']).default('auto'),
        /** Values that never link anyone (test numbers, shared office mailboxes), by type; normalized like incoming ones. */
        blocked: z
          .object({
            email: z.array(z.string()).default([]),
            phone: z.array(z.string()).default([]),
            unionid: z.array(z.string()).default([]),
            anonymous_id: z.array(z.string()).default([]),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    /** Who wins when sources disagree about an attribute. */
    attributes: z
      .object({
        /** Sources from most to least trusted (a value replaces another only from a source ranked at least as high). */
        precedence: z.array(slug).default(['operator', 'crm', 'website', 'app', 'api', 'wechat']),
        /** Per-attribute orders, e.g. `city: [crm, wechat, website]`. */
        precedenceByAttribute: z.record(z.string(), z.array(slug)).default({}),
      })
      .strict()
      .prefault({}),

    /** Outbound webhooks: profile changes sent to the CRM (or anything else), signed, from a durable outbox. */
    webhooks: webhookConfigSchema.prefault({}),

    /** Targeted pushes: the contact-pressure policy and the outbox workers that deliver them. */
    pushes: z
      .object({
        /** Who may be contacted, how often and through which channel (checked for every recipient at send time). */
        policy: z
          .object({
            /** Most pushes one follower receives in any 24 hours. */
            perDay: intBetween(1, 100).default(1),
            /** Most pushes one follower receives in any 7 days. */
            perWeek: intBetween(1, 700).default(3),
            /**
             * Local `HH:MM` window (the follower's `timezone` attribute, else the account's) in which sends wait for
             * its end; it may wrap midnight. The same start and end: no quiet hours.
             */
            quietHours: z
              .object({ start: clockTime, end: clockTime })
              .strict()
              .default({ start: '22:00', end: '08:00' }),
            /** Tags that mean "do not contact"; a `marketingConsent: false` attribute means the same. */
            optOutTags: z.array(tagName).default(['manual/do-not-contact']),
            /** Mass messages one follower may receive per calendar month (WeChat allows 4 on service accounts). */
            massPerMonth: intBetween(0, 31).default(4),
            /** WeChat's customer-service windows: after a message, and after a follow, menu click or QR scan. */
            customerService: z
              .object({
                messageWindowHours: intBetween(0, 48).default(48),
                messageQuota: intBetween(0, 5).default(5),
                actionWindowSeconds: intBetween(0, 60).default(60),
                actionQuota: intBetween(0, 3).default(3),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        /** Recipients listed in a plan's sample. */
        planSampleSize: intBetween(0, 100).default(10),
        /** Where followers reach this server, for tracked links (`<publicUrl>/r/<token>`); unset: links can't be tracked. */
        publicUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
        worker: z
          .object({
            /** Deliver pushes in this process (every instance may; leases keep them apart). */
            enabled: z.boolean().default(true),
            /** Recipients claimed at once; a claim's mass-message recipients of one push go out as one mass send. */
            batchSize: intBetween(1, 10_000).default(1000),
            /** One-recipient sends (customer-service, template) per second, per instance. */
            ratePerSecond: intBetween(1, 10_000).default(100),
            /** One-recipient sends in flight at once, per instance. */
            concurrency: intBetween(1, 500).default(20),
            /** How often an idle worker looks for due deliveries, in milliseconds. */
            pollIntervalMs: intBetween(10, 60_000).default(1000),
            /** How long claimed recipients are reserved before another instance may take them over, in milliseconds. */
            leaseMs: intBetween(1000, 3_600_000).default(120_000),
            /** Attempts of a recipient's send (after transient failures) before it is marked failed. */
            maxAttempts: intBetween(1, 100).default(6),
            /** First retry delay in milliseconds; doubles per attempt (capped at an hour). */
            retryBaseMs: intBetween(10, 3_600_000).default(30_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),

    /** The operator bot (chat commands over WeChat, HTTP and the console). */
    bot: botConfigSchema.prefault({}),

    /** The optional language model behind the bot's `ask` and `draft`. */
    ai: aiConfigSchema.prefault({}),

    /** Scoring and tagging rules (hot-reloaded from the config files; an invalid change is refused and the old rules stay). */
    rules: rulesDocumentSchema.prefault({}),

    /** The most rules a rules document may hold, from the config files or the API: more is refused (400). */
    rulesCeiling: rulesCeilingSchema.prefault({}),

    /** The account's time zone: schedules, quiet hours and what operators read. Storage is always UTC. */
    timezone: timeZone.default('Asia/Shanghai'),

    /** Language of operator- and follower-facing text. */
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),

    /** Folders searched for plugins, relative to the project root. */
    pluginDirs: z.array(z.string().min(1)).default(['plugins']),

    /** Plugins by name; each plugin validates the rest of its own block. */
    plugins: z.record(slug, z.looseObject({ enabled: z.boolean().default(false) })).default({}),
  })
  .strict()
  .superRefine((config, context) => {
    for (const { path, message } of rulesBeyondCeiling(config.rules, config.rulesCeiling))
      context.addIssue({ code: 'custom', path: ['rules', ...path], message });
  });

export type Config = z.output<typeof configSchema>;

import { z } from 'zod';
import { envOrText, intBetween, secret } from '../config/config-fields';

/** The optional OpenAI-compatible model behind `ask` and `draft`: off without a key. */
export const aiConfigSchema = z
  .object({
    /** Env OPENAI_API_KEY; unset: AI is off and everything else works. */
    apiKey: secret().optional(),
    /** Env OPENAI_BASE_URL: an OpenAI-compatible endpoint (a proxy, a domestic provider, the tests' fake). */
    baseUrl: envOrText(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })).optional(),
    /** Env OPENAI_MODEL: one that supports structured output (JSON schema). */
    model: envOrText(z.string().min(1).max(128)).default('gpt-4o-mini'),
    /** One request's time limit, in milliseconds. */
    timeoutMs: intBetween(1000, 300_000).default(30_000),
    /** Retries of a request that failed with a 429, a 5xx or a network error. */
    maxRetries: intBetween(0, 10).default(2),
    /** Model questions per operator per day (`ask` and `draft` together). */
    perOperatorPerDay: intBetween(1, 100_000).default(200),
    /**
     * Follower text messages classified into the interest taxonomy (`interest/<topic>` tags, source `ai`, lasting
     * `rules.keywordInterests.days` from the message), in batches, every 10 minutes, at most `perDay` messages a day.
     */
    classification: z
      .object({
        enabled: z.boolean().default(false),
        perDay: intBetween(1, 1_000_000).default(1000),
        batchSize: intBetween(1, 100).default(20),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type AiConfig = z.output<typeof aiConfigSchema>;

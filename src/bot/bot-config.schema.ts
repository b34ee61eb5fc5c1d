import { z } from 'zod';
import { envOrText, intBetween, secret } from '../config/config-fields';
import { Secret } from '../config/secret';
import type { BotLocale, BotRole } from './bot-command.types';

const operatorRoles = ['viewer', 'operator', 'admin'] as const satisfies readonly BotRole[];
const botLocales = ['zh-CN', 'en'] as const satisfies readonly BotLocale[];

const operatorSchema = z
  .object({
    /** Their WeChat contact id (wxid_…) or the alias (备注名) the bot's account gave them. */
    contact: z.string().trim().min(1).max(128),
    /** How the audit log and replies name them; defaults to `contact`. */
    name: z.string().trim().min(1).max(64).optional(),
    /** viewer: look up and count; operator: also tag, save segments and push; admin: everything. */
    role: z.enum(operatorRoles),
    /** Their language; defaults to the global `locale`. */
    locale: z.enum(botLocales).optional(),
  })
  .strict();

export type OperatorConfig = z.output<typeof operatorSchema>;

/** The operator bot: who may use it, how it behaves, and its WeChat connection. */
export const botConfigSchema = z
  .object({
    /** Who may use the bot. Anyone else gets no data (at most one polite refusal a day), and the attempt is audited. */
    operators: z
      .array(operatorSchema)
      .default([])
      .refine((operators) => new Set(operators.map((operator) => operator.contact)).size === operators.length, {
        error: 'each operator contact may be listed once',
      }),
    /** Group chats are ignored unless enabled; then the bot answers when mentioned, and never runs admin commands there. */
    groups: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .prefault({}),
    /** Commands one operator may run per minute. */
    commandsPerMinute: intBetween(1, 600).default(60),
    /** How long a push's confirmation code is valid, in minutes. */
    confirmationMinutes: intBetween(1, 60).default(10),
    /** Tagging more people than this at once (`/tag add <segment> <tag>`) waits for a confirmation code. */
    bulkConfirmAbove: intBetween(0, 10_000_000).default(100),
    /** The WeChat connection (Wechaty): off unless enabled; the server runs without it. */
    wechaty: z
      .object({
        enabled: z.boolean().default(false),
        /** Names the login session (kept in `<name>.memory-card.json`, so a restart needs no new scan). */
        name: z
          .string()
          .regex(/^[a-zA-Z0-9_-]{1,64}$/)
          .default('persona-bot'),
        /** The puppet package (`wechaty-puppet-wechat4u`, `wechaty-puppet-service`, …). Env WECHATY_PUPPET. */
        puppet: envOrText(
          z.string().regex(/^(@[a-z0-9-]+\/)?wechaty-puppet-[a-z0-9-]+$/, {
            error: 'expected a puppet package name such as wechaty-puppet-wechat4u',
          }),
        ).default('wechaty-puppet-wechat4u'),
        /** Options handed to the puppet; secrets as `env:NAME` (e.g. `token: env:WECHATY_PUPPET_SERVICE_TOKEN`). */
        puppetOptions: z
          .record(
            z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,63}$/),
            z.union([z.string().max(1024), z.number(), z.boolean(), secret()]),
          )
          .default({}),
        /** Reconnect backoff after the connection fails or drops: first wait and the longest, in milliseconds. */
        reconnectBaseMs: intBetween(100, 600_000).default(2000),
        reconnectMaxMs: intBetween(1000, 3_600_000).default(300_000),
      })
      .strict()
      .prefault({}),
    /** `npm run console`: the operator (contact) it acts as; defaults to the first admin. */
    consoleOperator: z.string().min(1).max(128).optional(),
  })
  .strict();

export type BotConfig = z.output<typeof botConfigSchema>;

/** Puppet options with their secrets revealed, for handing to the puppet. */
export function revealedPuppetOptions(
  options: BotConfig['wechaty']['puppetOptions'],
): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(options).map(([key, value]) => [key, value instanceof Secret ? value.reveal() : value]),
  );
}

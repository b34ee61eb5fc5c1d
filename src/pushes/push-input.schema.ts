import cron from 'node-cron';
import { z } from 'zod';
import { slug } from '../config/config-fields';
import { pushTriggerSchema } from './push-automations';
import { pushContentSchema } from './push-content';

/**
 * A push as `POST /api/pushes` takes it: content, an audience (a saved segment or an expression), and when: now,
 * `sendAt`, a recurring `schedule`, or a `trigger` (an automation, for which the audience is an optional filter).
 */
export const pushInputSchema = z
  .object({
    name: z.string().trim().min(1).max(128).optional(),
    /** The WeChat account whose followers receive it. */
    account: slug.default('default'),
    segment: z.string().min(1).max(64).optional(),
    expression: z.string().trim().min(1).max(4000).optional(),
    content: pushContentSchema,
    /** Makes the push an automation: each person who meets the trigger (and the segment or expression, if given) gets it once. */
    trigger: pushTriggerSchema.optional(),
    /** Makes the push recurring: a cron expression in the account's time zone; each run goes to the audience of that moment. */
    schedule: z
      .string()
      .trim()
      .max(128)
      .refine((expression) => cron.validate(expression), {
        error: 'expected a cron expression such as "0 10 * * 1" (Mondays at 10:00)',
      })
      .optional(),
    /** When to send; absent: as soon as it is confirmed. */
    sendAt: z.iso
      .datetime({ offset: true, error: 'expected an ISO 8601 time such as 2026-12-01T10:00:00+08:00' })
      .optional(),
  })
  .strict()
  .refine((input) => !(input.segment !== undefined && input.expression !== undefined), {
    error: 'expected a segment (a saved segment name) or an expression, not both',
    path: ['segment'],
  })
  .refine((input) => input.trigger !== undefined || input.segment !== undefined || input.expression !== undefined, {
    error: 'expected a segment (a saved segment name) or an expression: who gets it',
    path: ['segment'],
  })
  .refine((input) => input.trigger === undefined || input.sendAt === undefined, {
    error: 'an automation sends when people meet its trigger: it takes no sendAt',
    path: ['sendAt'],
  })
  .refine((input) => input.schedule === undefined || (input.trigger === undefined && input.sendAt === undefined), {
    error: 'a recurring push sends on its schedule: it takes no trigger or sendAt',
    path: ['schedule'],
  })
  .refine((input) => input.schedule === undefined || input.segment !== undefined || input.expression !== undefined, {
    error: 'a recurring push needs a segment or an expression',
    path: ['schedule'],
  });

/** Whom `POST /api/pushes/:id/preview` sends to: an openid of the push's account, or a WeChat ID. */
export const previewSchema = z
  .object({ openid: z.string().min(1).max(64).optional(), wechatId: z.string().min(1).max(64).optional() })
  .strict()
  .refine((to) => (to.openid === undefined) !== (to.wechatId === undefined), {
    error: 'expected an openid or a wechatId (not both)',
    path: ['openid'],
  });

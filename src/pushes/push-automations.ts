import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import { z } from 'zod';
import { tagName } from '../config/config-fields';
import type { Database } from '../db/database';
import type { AppendListener } from '../timeline/timeline.service';
import type { Clock } from '../util/clock';
import { audienceIncludes } from '../segments/audience-lookups';

/**
 * What starts an automation's push for one person: a tag given or taken away (lifecycle stages are tags, so
 * `lifecycle/new` is entering that stage), or a score level crossed.
 */
export const pushTriggerSchema = z.discriminatedUnion('on', [
  z.object({ on: z.literal('tag_added'), tag: tagName }).strict(),
  z.object({ on: z.literal('tag_removed'), tag: tagName }).strict(),
  z
    .object({
      on: z.literal('score_crossed'),
      /** `total` or a score group. */
      score: z.string().min(1).max(64).default('total'),
      threshold: z.number(),
      direction: z.enum(['up', 'down']).default('up'),
    })
    .strict(),
]);

export type PushTrigger = z.output<typeof pushTriggerSchema>;

interface ActiveAutomation {
  id: number;
  trigger: PushTrigger;
  /** Optional audience filter, as a WHERE clause over `profiles p`. */
  filter?: { where: string; values: Record<string, unknown> };
}

/** Whether a timeline event is what `trigger` waits for. */
export function triggers(
  trigger: PushTrigger,
  event: { type: string; properties: Readonly<Record<string, unknown>> },
): boolean {
  if (event.type !== trigger.on) return false;
  if (trigger.on === 'score_crossed') {
    return (
      event.properties.score === trigger.score &&
      Number(event.properties.threshold) === trigger.threshold &&
      event.properties.direction === trigger.direction
    );
  }
  return event.properties.tag === trigger.tag;
}

const triggerTypes = new Set(['tag_added', 'tag_removed', 'score_crossed']);
/** How often an instance reads the active automations again (another instance may have started or stopped one). */
const refreshMs = 10_000;

/**
 * Active automations and the timeline listener that feeds them: when a person meets an automation's trigger (and
 * its filter), a delivery is queued in the transaction that recorded the change, so it happens exactly when the
 * change does. An automation reaches each person at most once (deliveries are unique per push and profile); the
 * contact policy decides at send time, as for any push.
 */
export class PushAutomations {
  private active: ActiveAutomation[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly compileFilter: (expression: string) => Promise<{ where: string; values: Record<string, unknown> }>,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** Reads the active automations now and every few seconds (another instance may start or stop one). */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((error: unknown) => this.log.warn({ err: error }, 'reading the active automations failed'));
    }, refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the active automations (at start, on a timer, and when this instance starts or stops one). */
  async reload(): Promise<void> {
    const rows = await this.db.select<{ id: number; trigger_spec: string; expression: string | null }>(
      "SELECT id, trigger_spec, expression FROM pushes WHERE status = 'active' AND trigger_spec IS NOT NULL",
    );
    const active: ActiveAutomation[] = [];
    for (const row of rows) {
      try {
        const automation: ActiveAutomation = {
          id: Number(row.id),
          trigger: pushTriggerSchema.parse(JSON.parse(row.trigger_spec)),
        };
        if (row.expression) automation.filter = await this.compileFilter(row.expression);
        active.push(automation);
      } catch (error) {
        // One automation whose filter no longer compiles (its segment was deleted) mustn't stop the others, or start-up.
        this.log.error({ err: error, push: Number(row.id) }, 'automation left out: its filter does not compile');
      }
    }
    this.active = active;
  }

  /** The timeline listener: runs in the transaction that recorded the change, and reads nothing outside it. */
  readonly enqueue: AppendListener = async (event, transaction) => {
    if (!triggerTypes.has(event.type)) return;
    for (const automation of this.active.filter((candidate) => triggers(candidate.trigger, event))) {
      await this.queue(automation, event.profileId, transaction);
    }
  };

  private async queue(automation: ActiveAutomation, profileId: number, transaction: Transaction): Promise<void> {
    if (automation.filter) {
      if (!(await audienceIncludes(this.db, automation.filter, profileId, transaction))) return;
    }
    await this.db.execute(
      `${this.db.insertIgnoreInto} push_deliveries (push_id, profile_id, status, attempts, available_at) VALUES (?, ?, 'queued', 0, ?)`,
      [automation.id, profileId, this.clock()],
      transaction,
    );
  }
}

import cron from 'node-cron';
import type { Database } from '../db/database';
import type { PushService, PushView } from './push.service';

/**
 * Runs of recurring pushes: each run is a push of its own (`parentId`), planned and confirmed for the audience of
 * that moment, once per matching minute of the parent's cron schedule (in the account's time zone).
 */
export class RecurringPushes {
  constructor(
    private readonly db: Database,
    private readonly pushes: PushService,
    private readonly timezoneOf: (account: string) => string,
  ) {}

  /** Starts the runs due at `tick` (a minute, from the schedule job); answers their ids. A tick already run is not run again. */
  async runDue(tick: Date): Promise<number[]> {
    const runs: number[] = [];
    const failures: string[] = [];
    for (const parent of await this.pushes.recurring()) {
      try {
        const run = await this.runIfDue(parent, tick);
        if (run !== undefined) runs.push(run);
      } catch (error) {
        // One recurring push that can't run (its segment was deleted) doesn't hold up the others.
        failures.push(`push ${parent.id}: ${(error as Error).message}`);
      }
    }
    if (failures.length > 0)
      throw new Error(`${runs.length} recurring pushes started; these failed: ${failures.join('; ')}`);
    return runs;
  }

  /** The run of `parent` for `tick`, when its schedule matches and it hasn't run for that tick yet. */
  private async runIfDue(parent: PushView, tick: Date): Promise<number | undefined> {
    const task = cron.createTask(parent.schedule as string, () => undefined, {
      timezone: this.timezoneOf(parent.account),
    });
    const due = task.match(tick);
    await task.destroy();
    if (!due) return undefined;
    const [ran] = await this.db.select<{ id: number }>('SELECT id FROM pushes WHERE parent_id = ? AND send_at = ?', [
      parent.id,
      tick,
    ]);
    if (ran) return undefined;
    const actor = `schedule of push ${parent.id}`;
    const run = await this.pushes.plan(
      {
        name: `${parent.name} · ${tick.toISOString().slice(0, 16).replace('T', ' ')}`,
        account: parent.account,
        ...(parent.audience.segment !== null
          ? { segment: parent.audience.segment }
          : { expression: parent.audience.expression }),
        content: parent.content,
        sendAt: tick.toISOString(),
      },
      actor,
      { parentId: parent.id },
    );
    return (await this.pushes.confirm(run.id, actor)).id;
  }
}

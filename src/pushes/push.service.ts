import { recordAudit } from '../audit/audit-log';
import type { Database } from '../db/database';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors/app.errors';
import type { PushAccount, PushSender } from './push-sender.types';
import { parseInput } from '../util/parse-input';
import { refersTo } from '../segments/segment-dependencies';
import { parseSegment } from '../segments/segment-parser';
import { liveProfiles } from '../segments/segment-sql-compiler';
import type { SegmentService } from '../segments/segment.service';
import { personalize, type PushContent } from './push-content';
import type { PushTrigger } from './push-automations';
import { previewSchema, pushInputSchema } from './push-input.schema';
import type { PushPlan, PushPlanner } from './push-planner';
import { pushActivitySince, type PushReport, pushReport } from './push-report';
import type { Clock } from '../util/clock';
import type { Page, PageRequest } from '../util/paging';
import { pushPages, pushStatusCondition } from './push-list';
import type { PushStatus } from './push-status';
import { audienceIds } from '../segments/audience-lookups';
import { channelsInChinese, pushesText, pushState } from './pushes.messages';
import type { LocalizedText } from '../i18n/message-catalog';

export type { PushStatus } from './push-status';

export interface PushView {
  id: number;
  name: string;
  account: string;
  status: PushStatus;
  /** Who gets it; for an automation, the filter its triggers pass through (null: everyone who triggers it). */
  audience: { segment: string | null; expression: string | null };
  /** An automation's trigger. */
  trigger: PushTrigger | null;
  /** A recurring push's cron schedule (its runs are pushes with `parentId`). */
  schedule: string | null;
  parentId: number | null;
  content: PushContent;
  sendAt: string | null;
  /** Until when the plan can be confirmed (null: until confirmed or cancelled). */
  expiresAt: string | null;
  plan: PushPlan;
  /** Frozen at confirmation. */
  recipients: number | null;
  createdBy: string;
  createdAt: string;
  confirmedAt: string | null;
  confirmedBy: string | null;
  cancelledAt: string | null;
  finishedAt: string | null;
}

interface PushRow {
  id: number;
  name: string;
  account: string;
  status: string;
  segment: string | null;
  expression: string | null;
  trigger_spec: string | null;
  schedule: string | null;
  parent_id: number | null;
  content: string;
  send_at: unknown;
  expires_at: unknown;
  plan: string;
  recipients: number | null;
  created_by: string;
  created_at: unknown;
  confirmed_at: unknown;
  confirmed_by: string | null;
  cancelled_at: unknown;
  finished_at: unknown;
}

/** Rows of recipients written per statement at confirmation. */
const insertChunk = 2000;

/**
 * Pushes from plan to delivery: `plan` validates a push and forecasts it (nothing is sent), `confirm` freezes the
 * recipient list (the audience at that moment, one delivery row per profile) for the outbox workers, `cancel` stops
 * what hasn't gone out.
 */
export class PushService {
  constructor(
    private readonly db: Database,
    private readonly segments: SegmentService,
    private readonly planner: PushPlanner,
    private readonly senders: { get(channel: string): PushSender | undefined },
    private readonly accounts: { get(name: string): PushAccount | undefined; list(): PushAccount[] },
    private readonly trackedLinks: { readonly enabled: boolean },
    private readonly automations: { reload(): Promise<void> },
    private readonly clock: Clock,
  ) {}

  /**
   * Plans a push: validated, forecast, stored `planned`. `expiresAt`: the plan can be confirmed until then (a plan
   * made in chat expires with its code); `parentId`: the recurring push this is a run of.
   */
  async plan(raw: unknown, actor: string, options: { parentId?: number; expiresAt?: Date } = {}): Promise<PushView> {
    const input = parseInput(pushInputSchema, raw, 'push');
    if (input.content.trackLinks && !this.trackedLinks.enabled) {
      throw new ValidationError(pushesText('push.trackLinksOff'));
    }
    this.checkAccount(input.account);
    const now = this.clock();
    const hasAudience = input.segment !== undefined || input.expression !== undefined;
    const audience = hasAudience
      ? await this.segments.audience(input)
      : { expression: null, where: liveProfiles, values: {} };
    // An automation's forecast: what would happen if everyone its filter selects met the trigger now.
    const plan = await this.planner.plan({ pushId: 0, account: input.account, content: input.content, audience, now });
    const id = await this.db.insert(
      `INSERT INTO pushes (name, account, status, segment, expression, trigger_spec, schedule, parent_id, content, send_at, plan, created_by, created_at, planned_at, expires_at)
       VALUES (?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        input.name ?? defaultName(input.content),
        input.account,
        input.segment ?? null,
        audience.expression,
        input.trigger ? JSON.stringify(input.trigger) : null,
        input.schedule ?? null,
        options.parentId ?? null,
        JSON.stringify(input.content),
        input.sendAt ? new Date(input.sendAt) : null,
        JSON.stringify(plan),
        actor,
        now,
        now,
        options.expiresAt ?? null,
      ],
    );
    return this.get(id);
  }

  /**
   * Forecasts a planned (or expired) push again, as of now, and gives it a new window until `expiresAt`: the audience
   * and the contact facts may have moved since it was planned. A push whose send time has passed is planned anew.
   */
  async replan(id: number, actor: string, expiresAt: Date): Promise<PushView> {
    const push = await this.get(id);
    if (push.status !== 'planned' && push.status !== 'expired')
      throw new ConflictError(pushesText('push.notReplannable', { id: String(id), state: pushState(push.status) }), {
        status: push.status,
      });
    const now = this.clock();
    if (push.sendAt && new Date(push.sendAt) <= now)
      throw new ConflictError(pushesText('push.sendAtPassed', { id: String(id), sendAt: push.sendAt }), {
        sendAt: push.sendAt,
      });
    const audience = await this.segments.audience(
      push.audience.segment !== null
        ? { segment: push.audience.segment }
        : { expression: push.audience.expression ?? '' },
    );
    const plan = await this.planner.plan({ pushId: id, account: push.account, content: push.content, audience, now });
    const updated = await this.db.execute(
      "UPDATE pushes SET plan = ?, planned_at = ?, expires_at = ? WHERE id = ? AND status = 'planned'",
      [JSON.stringify(plan), now, expiresAt, id],
    );
    // MySQL counts changed rows: a plan the same as before (in the same millisecond) changes none and is fine.
    if (updated === 0 && (await this.get(id)).status !== 'planned')
      throw new ConflictError(pushesText('push.changedMeanwhile', { id: String(id) }));
    await recordAudit(this.db, { actor, action: 'push.replanned', subject: `push:${id}`, details: {}, at: now });
    return this.get(id);
  }

  /** A push goes out from an account a plugin provides: one nobody provides would be planned, confirmed and skip everyone. */
  private checkAccount(account: string): void {
    if (this.accounts.get(account)) return;
    const known = this.accounts.list().map((entry) => entry.name);
    throw new ValidationError(
      known.length > 0
        ? pushesText('account.unknown', { account, known: known.join(', '), knownZh: known.join('、') })
        : pushesText('account.none'),
      { known },
    );
  }

  /** Freezes the recipients and hands them to the outbox. A push is confirmed once; a second confirm is a conflict. */
  async confirm(id: number, actor: string): Promise<PushView> {
    const push = await this.get(id);
    if (push.status === 'expired')
      throw new ConflictError(pushesText('push.expired', { id: String(id) }), { status: push.status });
    if (push.status !== 'planned')
      throw new ConflictError(pushesText('push.notPlanned', { id: String(id), state: pushState(push.status) }), {
        status: push.status,
      });
    const missing = Object.entries(push.plan.channels)
      .filter(([channel, count]) => count > 0 && !this.senders.get(channel))
      .map(([channel]) => channel);
    if (missing.length > 0) {
      throw new ConflictError(
        pushesText('push.noSender', { channels: missing.join(', '), channelsZh: channelsInChinese(missing) }),
      );
    }
    if (push.trigger || push.schedule) return this.activate(push, actor);
    const audience = await this.segments.audience(
      push.audience.segment !== null
        ? { segment: push.audience.segment }
        : { expression: push.audience.expression ?? '' },
    );
    // Read first (a plain read locks nothing on MySQL), then write: webhooks and workers go on meanwhile.
    const ids = await audienceIds(this.db, audience);
    const now = this.clock();
    const due = push.sendAt && new Date(push.sendAt) > now ? new Date(push.sendAt) : now;
    await this.db.transaction(async (transaction) => {
      const confirmed = await this.db.execute(
        `UPDATE pushes SET status = 'sending', confirmed_at = ?, confirmed_by = ?, recipients = ?
          WHERE id = ? AND status = 'planned' AND (expires_at IS NULL OR expires_at > ?)`,
        [now, actor, ids.length, id, now],
        transaction,
      );
      if (confirmed === 0) throw new ConflictError(pushesText('push.changedOrExpiredMeanwhile', { id: String(id) }));
      for (let start = 0; start < ids.length; start += insertChunk) {
        const part = ids.slice(start, start + insertChunk);
        await this.db.execute(
          `INSERT INTO push_deliveries (push_id, profile_id, status, attempts, available_at) VALUES ${part.map(() => "(?, ?, 'queued', 0, ?)").join(', ')}`,
          part.flatMap((profileId) => [id, profileId, due]),
          transaction,
        );
      }
      if (ids.length === 0)
        await this.db.execute(
          "UPDATE pushes SET status = 'done', finished_at = ? WHERE id = ?",
          [now, id],
          transaction,
        );
      await this.audit(actor, 'push.confirmed', id, { recipients: ids.length }, now, transaction);
    });
    return this.get(id);
  }

  /**
   * Sends the push as a mass preview to one operator (an openid of the push's account, or a WeChat ID), to see it as
   * followers will before confirming. Placeholders take their fallbacks, as in a mass send.
   */
  async preview(id: number, raw: unknown): Promise<{ sent: true }> {
    const to = parseInput(previewSchema, raw, 'preview');
    const push = await this.get(id);
    const sender = this.senders.get('mass');
    if (!sender?.preview) throw new ConflictError(pushesText('preview.noSender'));
    const outcome = await sender.preview({
      account: push.account,
      content: personalize(push.content),
      to: to.openid ? { openid: to.openid } : { wechatId: to.wechatId as string },
    });
    if (outcome.status !== 'sent')
      throw new AppError('preview_failed', pushesText('preview.refused', { code: outcome.code }), 502, {
        code: outcome.code,
      });
    return { sent: true };
  }

  /**
   * An automation starts listening for its trigger, here at once and in other instances within seconds; a recurring
   * push starts running on its schedule.
   */
  private async activate(push: PushView, actor: string): Promise<PushView> {
    const now = this.clock();
    await this.db.transaction(async (transaction) => {
      const activated = await this.db.execute(
        `UPDATE pushes SET status = 'active', confirmed_at = ?, confirmed_by = ?
          WHERE id = ? AND status = 'planned' AND (expires_at IS NULL OR expires_at > ?)`,
        [now, actor, push.id, now],
        transaction,
      );
      if (activated === 0)
        throw new ConflictError(pushesText('push.changedOrExpiredMeanwhile', { id: String(push.id) }));
      await this.audit(
        actor,
        'push.activated',
        push.id,
        { trigger: push.trigger, schedule: push.schedule },
        now,
        transaction,
      );
    });
    await this.automations.reload();
    return this.get(push.id);
  }

  /** Stops what hasn't gone out: queued and deferred recipients are cancelled; sends already in flight finish. */
  async cancel(id: number, actor: string): Promise<PushView> {
    const push = await this.get(id);
    if (push.status === 'done' || push.status === 'cancelled')
      throw new ConflictError(pushesText('push.nothingToCancel', { id: String(id), state: pushState(push.status) }));
    const now = this.clock();
    await this.db.transaction(async (transaction) => {
      await this.db.execute(
        "UPDATE pushes SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status IN ('planned', 'sending', 'active')",
        [now, id],
        transaction,
      );
      const stopped = await this.db.execute(
        "UPDATE push_deliveries SET status = 'cancelled', finished_at = ? WHERE push_id = ? AND status IN ('queued', 'deferred')",
        [now, id],
        transaction,
      );
      await this.audit(actor, 'push.cancelled', id, { stopped }, now, transaction);
    });
    if (push.trigger) await this.automations.reload();
    return this.get(id);
  }

  /**
   * The pushes that will still read the saved segment `name`: planned ones (confirmation takes the audience of that
   * moment) and active ones (automations, recurring runs). Pushes already sending have their recipients.
   */
  async usersOfSegment(name: string): Promise<LocalizedText[]> {
    const rows = await this.db.select<{
      id: number;
      status: string;
      segment: string | null;
      expression: string | null;
    }>("SELECT id, status, segment, expression FROM pushes WHERE status IN ('planned', 'active') ORDER BY id");
    return rows
      .filter(
        (row) => row.segment === name || (row.expression !== null && refersTo(parseSegment(row.expression), name)),
      )
      .map((row) => pushesText('push.user', { id: Number(row.id), state: pushState(row.status) }));
  }

  /** Where a push's delivery stands: counts by status, channel, reason and code, and WeChat's own counts. */
  async report(id: number): Promise<PushReport> {
    await this.get(id);
    return pushReport(this.db, id);
  }

  /** Recurring pushes that are running (their runs are started by RecurringPushes). */
  async recurring(): Promise<PushView[]> {
    const rows = await this.db.select<PushRow>(
      "SELECT * FROM pushes WHERE status = 'active' AND schedule IS NOT NULL ORDER BY id",
    );
    return rows.map((row) => this.view(row));
  }

  async get(id: number): Promise<PushView> {
    const [row] = await this.db.select<PushRow>('SELECT * FROM pushes WHERE id = ?', [id]);
    if (!row) throw new NotFoundError(pushesText('push.notFound', { id: String(id) }));
    return this.view(row);
  }

  /** Newest first, a page at a time; `status` as operators see it. */
  async list(filter: PageRequest & { status?: PushStatus }): Promise<Page<PushView>> {
    const status = pushStatusCondition(filter.status, this.clock());
    const page = pushPages.clause(filter);
    const rows = await this.db.select<PushRow>(
      `SELECT * FROM pushes WHERE ${status.sql} AND ${page.where} ${page.orderAndLimit}`,
      { ...status.values, ...page.values },
    );
    return pushPages.page(rows, filter, (row) => this.view(row));
  }

  /**
   * Pushes confirmed since `since` (and before `until`), and recipients decided then (of any push) that were sent or
   * failed.
   */
  async activitySince(since: Date, until?: Date): Promise<{ confirmed: number; sent: number; failed: number }> {
    return pushActivitySince(this.db, since, until);
  }

  private async audit(
    actor: string,
    action: string,
    pushId: number,
    details: object,
    at: Date,
    transaction: Parameters<Database['execute']>[2],
  ): Promise<void> {
    await recordAudit(this.db, { actor, action, subject: `push:${pushId}`, details, at }, transaction);
  }

  private view(row: PushRow): PushView {
    const time = (value: unknown) => this.db.parseTime(value)?.toISOString() ?? null;
    const sendAt = time(row.send_at);
    let status = row.status as PushStatus;
    const expiresAt = time(row.expires_at);
    if (status === 'sending' && sendAt && new Date(sendAt) > this.clock()) status = 'scheduled';
    if (status === 'planned' && expiresAt && new Date(expiresAt) <= this.clock()) status = 'expired';
    return {
      id: Number(row.id),
      name: row.name,
      account: row.account,
      status,
      audience: { segment: row.segment, expression: row.expression },
      trigger: row.trigger_spec ? (JSON.parse(row.trigger_spec) as PushTrigger) : null,
      schedule: row.schedule,
      parentId: row.parent_id === null ? null : Number(row.parent_id),
      content: JSON.parse(row.content) as PushContent,
      sendAt,
      expiresAt,
      plan: JSON.parse(row.plan) as PushPlan,
      recipients: row.recipients === null ? null : Number(row.recipients),
      createdBy: row.created_by,
      createdAt: time(row.created_at) ?? '',
      confirmedAt: time(row.confirmed_at),
      confirmedBy: row.confirmed_by,
      cancelledAt: time(row.cancelled_at),
      finishedAt: time(row.finished_at),
    };
  }
}

/** A name for the list when the operator gave none: the start of the text, or the kind of message. */
function defaultName(content: PushContent): string {
  const text =
    content.message.type === 'text' ? content.message.text.replace(/\s+/g, ' ').trim() : content.message.type;
  return [...text].slice(0, 40).join('');
}

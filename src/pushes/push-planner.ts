import type { Database } from '../db/database';
import type { SegmentPreview } from '../segments/segment.service';
import { ContactFacts } from './contact-facts.repository';
import { type ContactDecision, type ContactPolicy, decideContact, type SkipReason } from './contact-policy';
import { localMonthStart } from '../util/local-time';
import { type PushChannel, type PushContent, placeholderNames, pushChannels } from './push-content';
import { audienceFollows, audienceHolding } from '../segments/audience-lookups';
import { attributeValuesOf } from '../profiles/profile-lookups';
import { type PlannedMessage, type PlannedPlaceholder, plannedMessages, plannedPlaceholders } from './planned-messages';

/** The forecast shown before a push is confirmed: who it reaches through which channel, who is skipped and why. */
export interface PushPlan {
  /** Live profiles the audience selects. */
  audience: number;
  /** Recipients per channel, had it been sent at `plannedAt`. */
  channels: Record<PushChannel, number>;
  /** Recipients who would wait for the end of quiet hours (then checked again). */
  deferred: { quiet_hours: number };
  skipped: Partial<Record<Exclude<SkipReason, 'quiet_hours'>, number>>;
  /** The first few recipients (masked) with what the policy decided for each. */
  sample: (SegmentPreview['sample'][number] & { decision: string })[];
  /** What recipients would read through each channel that reaches someone (absent from plans made before it). */
  messages?: PlannedMessage[];
  /** The content's placeholders, and how many of the audience hold a value for each (absent: as `messages`). */
  placeholders?: PlannedPlaceholder[];
  plannedAt: string;
}

export interface PlanInput {
  pushId: number;
  account: string;
  content: PushContent;
  audience: { where: string; values: Record<string, unknown> };
  now: Date;
}

export interface PlannerOptions {
  policy: ContactPolicy;
  optOutTags: readonly string[];
  timezoneOf(account: string): string;
  sampleSize: number;
}

/** What a decision is called in a plan's sample and in delivery counts: the channel, or the reason. */
export function decisionName(decision: ContactDecision): string {
  return decision.outcome === 'send' ? decision.channel : decision.reason;
}

/**
 * Forecasts a push with the same policy the send applies, over the whole audience at once: one streamed read of the
 * audience with its follow state, and the contact facts of everyone with anything recent (opt-outs, refusals, sends,
 * open windows), each a single set query. Writes nothing.
 */
export class PushPlanner {
  constructor(
    private readonly db: Database,
    private readonly options: PlannerOptions,
    private readonly describe: (ids: number[]) => Promise<SegmentPreview['sample']>,
  ) {}

  async plan(input: PlanInput): Promise<PushPlan> {
    const { now } = input;
    const timezone = this.options.timezoneOf(input.account);
    const [members, facts] = await Promise.all([
      audienceFollows(this.db, input.audience, input.account),
      ContactFacts.load(this.db, {
        account: input.account,
        scope: null,
        pushIds: [],
        optOutTags: this.options.optOutTags,
        policy: this.options.policy,
        now,
        monthStart: localMonthStart(now, timezone),
      }),
    ]);
    const channels = Object.fromEntries(pushChannels.map((channel) => [channel, 0])) as Record<PushChannel, number>;
    const skipped: PushPlan['skipped'] = {};
    let deferred = 0;
    const sampled: { id: number; decision: string }[] = [];
    // The first person each channel reaches: whose attributes fill that channel's message in the plan.
    const firstOf: Partial<Record<PushChannel, number>> = {};
    for (const member of members) {
      const id = Number(member.id);
      const state = facts.stateOf(
        id,
        { following: Boolean(member.subscribed), subscribedAt: this.db.parseTime(member.subscribed_at) },
        input.pushId,
      );
      const decision = decideContact(state, input.content, this.options.policy, now, timezone);
      if (decision.outcome === 'send') {
        channels[decision.channel] += 1;
        firstOf[decision.channel] ??= id;
      } else if (decision.outcome === 'defer') deferred += 1;
      else skipped[decision.reason] = (skipped[decision.reason] ?? 0) + 1;
      if (sampled.length < this.options.sampleSize) sampled.push({ id, decision: decisionName(decision) });
    }
    sampled.sort((a, b) => a.id - b.id);
    const described = await this.describe(sampled.map((entry) => entry.id));
    const names = placeholderNames(input.content);
    const [samples, holders] = await Promise.all([
      this.samplesFor(firstOf, names),
      audienceHolding(this.db, input.audience, names),
    ]);
    return {
      audience: members.length,
      channels,
      deferred: { quiet_hours: deferred },
      skipped,
      sample: described.map((profile, index) => ({ ...profile, decision: sampled[index].decision })),
      messages: plannedMessages(input.content, channels, samples),
      placeholders: plannedPlaceholders(input.content, holders),
      plannedAt: now.toISOString(),
    };
  }

  /** The attributes the placeholders read, of the first person each channel reaches. */
  private async samplesFor(
    firstOf: Partial<Record<PushChannel, number>>,
    names: readonly string[],
  ): Promise<Partial<Record<PushChannel, { profileId: number; attributes: Record<string, unknown> }>>> {
    const ids = [...new Set(Object.values(firstOf))];
    const rows = names.length > 0 && ids.length > 0 ? await attributeValuesOf(this.db, { names, scope: ids }) : [];
    const attributesOf = (profileId: number) =>
      Object.fromEntries(
        rows.filter((row) => Number(row.profile_id) === profileId).map((row) => [row.name, JSON.parse(row.value)]),
      ) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(firstOf).map(([channel, profileId]) => [
        channel,
        { profileId, attributes: attributesOf(profileId) },
      ]),
    );
  }
}

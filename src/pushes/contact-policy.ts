import type { Config } from '../config/config.schema';
import type { PushChannel, PushContent } from './push-content';
import { massCarries } from './push-content';
import { quietUntil, type QuietHours } from './quiet-hours';

/** Why a recipient is not sent a push (or not yet: `quiet_hours` defers). */
export const skipReasons = [
  'not_following',
  'opted_out',
  'openid_failing',
  'already_received',
  'frequency_cap',
  'quiet_hours',
  'channel_quota',
] as const;
export type SkipReason = (typeof skipReasons)[number];

/** The contact-pressure settings (config `pushes.policy`). */
export interface ContactPolicy {
  /** Most pushes one follower receives in any 24 hours, and in any 7 days. */
  perDay: number;
  perWeek: number;
  quietHours: QuietHours | null;
  /** Mass messages one follower may receive per calendar month (WeChat: 4 on service accounts). */
  massPerMonth: number;
  customerService: {
    /** After a message: the window's length and how many customer-service messages it allows. */
    messageWindowMs: number;
    messageQuota: number;
    /** After a follow, menu click or QR scan. */
    actionWindowMs: number;
    actionQuota: number;
  };
}

/** A customer-service window a follower opened: when, and how many customer-service messages went out since. */
export interface ContactWindow {
  kind: 'message' | 'action';
  openedAt: Date;
  sentSince: number;
}

/** What the policy needs to know about one recipient, as of the moment of decision. */
export interface ContactState {
  following: boolean;
  optedOut: boolean;
  /** WeChat answered that the openid is invalid or not following (40003, 43004) before. */
  openidFailing: boolean;
  alreadyReceived: boolean;
  sentLastDay: number;
  sentLastWeek: number;
  massThisMonth: number;
  /** The latest message and the latest follow/click/scan, when recent. */
  windows: ContactWindow[];
  /** The follower's own time zone, when known; otherwise the account's applies. */
  timezone?: string;
}

export type ContactDecision =
  | { outcome: 'send'; channel: PushChannel }
  | { outcome: 'skip'; reason: Exclude<SkipReason, 'quiet_hours'> }
  | { outcome: 'defer'; reason: 'quiet_hours'; until: Date };

/** Whether a customer-service window is still open with quota left at `now`. */
export function windowOpen(window: ContactWindow, policy: ContactPolicy, now: Date): boolean {
  const cs = policy.customerService;
  const [length, quota] =
    window.kind === 'message' ? [cs.messageWindowMs, cs.messageQuota] : [cs.actionWindowMs, cs.actionQuota];
  return now.getTime() - window.openedAt.getTime() < length && window.sentSince < quota;
}

/**
 * The contact-pressure policy for one recipient: who must not be contacted (and why), who waits for the end of quiet
 * hours, and otherwise the channel WeChat allows: a customer-service message inside an open window, else a mass
 * message within the monthly quota, else the push's template message, else nothing (`channel_quota`). Used for the
 * plan's forecast and again at send time, so both say the same thing about the same facts.
 */
export function decideContact(
  state: ContactState,
  content: PushContent,
  policy: ContactPolicy,
  now: Date,
  accountTimezone: string,
): ContactDecision {
  if (!state.following) return { outcome: 'skip', reason: 'not_following' };
  if (state.optedOut) return { outcome: 'skip', reason: 'opted_out' };
  if (state.openidFailing) return { outcome: 'skip', reason: 'openid_failing' };
  if (state.alreadyReceived) return { outcome: 'skip', reason: 'already_received' };
  if (state.sentLastDay >= policy.perDay || state.sentLastWeek >= policy.perWeek)
    return { outcome: 'skip', reason: 'frequency_cap' };
  if (policy.quietHours) {
    const until = quietUntil(policy.quietHours, now, state.timezone ?? accountTimezone);
    if (until) return { outcome: 'defer', reason: 'quiet_hours', until };
  }
  if (state.windows.some((window) => windowOpen(window, policy, now)))
    return { outcome: 'send', channel: 'customer_service' };
  if (massCarries(content.message) && state.massThisMonth < policy.massPerMonth)
    return { outcome: 'send', channel: 'mass' };
  if (content.template) return { outcome: 'send', channel: 'template' };
  return { outcome: 'skip', reason: 'channel_quota' };
}

/** The contact-pressure policy from its config block (hours and seconds as the policy counts them). */
export function contactPolicyOf(config: Config['pushes']['policy']): ContactPolicy {
  const cs = config.customerService;
  return {
    perDay: config.perDay,
    perWeek: config.perWeek,
    quietHours: config.quietHours.start === config.quietHours.end ? null : config.quietHours,
    massPerMonth: config.massPerMonth,
    customerService: {
      messageWindowMs: cs.messageWindowHours * 3_600_000,
      messageQuota: cs.messageQuota,
      actionWindowMs: cs.actionWindowSeconds * 1000,
      actionQuota: cs.actionQuota,
    },
  };
}

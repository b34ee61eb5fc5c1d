import { ownValue } from '../util/own-value';

/**
 * What Persona tells subscribers, by the timeline event it comes from. A subscriber names the webhook events it
 * wants; the rest of the timeline stays inside.
 */
export const webhookEventsByTimelineType = {
  tag_added: 'profile.tag_added',
  tag_removed: 'profile.tag_removed',
  attribute_changed: 'profile.attribute_changed',
  lifecycle_changed: 'profile.lifecycle_changed',
  score_crossed: 'profile.score_crossed',
  profile_merged: 'profile.merged',
  profile_unmerged: 'profile.unmerged',
} as const;

export type WebhookEventName = (typeof webhookEventsByTimelineType)[keyof typeof webhookEventsByTimelineType];

export const webhookEventNames = Object.values(webhookEventsByTimelineType) as [
  WebhookEventName,
  ...WebhookEventName[],
];

export function webhookEventFor(timelineType: string): WebhookEventName | undefined {
  return ownValue(webhookEventsByTimelineType as Record<string, WebhookEventName>, timelineType);
}

/**
 * Event types only Persona records, about what it did or decided itself (an attribute or tag changed, a score
 * crossed a threshold, a merge, a push's fate). What listens to the timeline trusts them: outbound webhooks tell the
 * CRM `profile.tag_added`, push automations send on `tag_added` and `score_crossed`. So no inbound event may claim
 * one, whoever sends it.
 */
export const personaEventTypes: ReadonlySet<string> = new Set([
  'attribute_changed',
  'tag_added',
  'tag_removed',
  'lifecycle_changed',
  'score_crossed',
  'profile_merged',
  'profile_unmerged',
  'push_sent',
  'push_failed',
  'push_skipped',
]);

/** The source of every event Persona records about its own doing: what a timeline's `interactions` leave out. */
export const personaEventSource = 'persona';

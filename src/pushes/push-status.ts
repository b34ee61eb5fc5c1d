/**
 * `scheduled` is a confirmed push whose send time has not come (stored, it is `sending`); `expired` is a plan whose
 * confirmation window has passed (stored, it is `planned`); an automation, once confirmed, is `active` until cancelled.
 */
export type PushStatus = 'planned' | 'expired' | 'scheduled' | 'sending' | 'active' | 'done' | 'cancelled';

/** Every status, in the order a push moves through them. */
export const pushStatuses: readonly PushStatus[] = [
  'planned',
  'expired',
  'scheduled',
  'sending',
  'active',
  'done',
  'cancelled',
];

/**
 * `scheduled` is a confirmed push whose send time has not come (stored, it is `sending`); an automation, once
 * confirmed, is `active` until cancelled.
 */
export type PushStatus = 'planned' | 'scheduled' | 'sending' | 'active' | 'done' | 'cancelled';

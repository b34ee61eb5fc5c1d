import { localMinuteOfDay } from '../util/local-time';

/** A daily window, as local `HH:MM` times, in which nobody is sent anything; it may wrap midnight (22:00–08:00). */
export interface QuietHours {
  start: string;
  end: string;
}

function minutes(time: string): number {
  const [hours, mins] = time.split(':').map(Number);
  return hours * 60 + mins;
}

/**
 * When the quiet hours `now` falls in end (the start of the end minute, local time in `timezone`), or null when `now`
 * is outside them. A window whose start equals its end is empty.
 */
export function quietUntil(quiet: QuietHours, now: Date, timezone: string): Date | null {
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const current = localMinuteOfDay(now, timezone);
  const inside = start <= end ? current >= start && current < end : current >= start || current < end;
  if (!inside) return null;
  const wait = (end - current + 1440) % 1440;
  const minuteStart = Math.floor(now.getTime() / 60_000) * 60_000;
  return new Date(minuteStart + wait * 60_000);
}

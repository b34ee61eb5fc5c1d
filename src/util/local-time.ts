const formats = new Map<string, Intl.DateTimeFormat>();

function partsOf(at: Date, timezone: string): Record<string, number> {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timezone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return parts;
}

/** Minutes since local midnight of `at` in `timezone`. */
export function localMinuteOfDay(at: Date, timezone: string): number {
  const parts = partsOf(at, timezone);
  return parts.hour * 60 + parts.minute;
}

/** How far `timezone`'s wall clock is ahead of UTC at `at`, in milliseconds. */
function offsetAt(at: number, timezone: string): number {
  const parts = partsOf(new Date(at), timezone);
  const wallClock = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wallClock - Math.floor(at / 1000) * 1000;
}

/** How far `timezone`'s wall clock is ahead of UTC at `at`, in minutes (480 in Shanghai). */
export function utcOffsetMinutes(at: Date, timezone: string): number {
  return Math.round(offsetAt(at.getTime(), timezone) / 60_000);
}

/** The instant local midnight of a calendar day began in `timezone` (`day` may overflow: Date.UTC normalizes it). */
function localMidnight(year: number, month: number, day: number, near: Date, timezone: string): Date {
  const midnight = Date.UTC(year, month - 1, day);
  // The offset on that day, not `near`'s: a daylight-saving change may lie between.
  const guess = midnight - offsetAt(near.getTime(), timezone);
  return new Date(midnight - offsetAt(guess, timezone));
}

/** The instant the calendar month of `at` began in `timezone` (WeChat's monthly mass quota counts calendar months). */
export function localMonthStart(at: Date, timezone: string): Date {
  const parts = partsOf(at, timezone);
  return localMidnight(parts.year, parts.month, 1, at, timezone);
}

/** The instant the day of `at` began in `timezone`. */
export function localDayStart(at: Date, timezone: string): Date {
  const parts = partsOf(at, timezone);
  return localMidnight(parts.year, parts.month, parts.day, at, timezone);
}

/** The instant the week (from Monday) of `at` began in `timezone`. */
export function localWeekStart(at: Date, timezone: string): Date {
  const parts = partsOf(at, timezone);
  const weekday = (new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay() + 6) % 7;
  return localMidnight(parts.year, parts.month, parts.day - weekday, at, timezone);
}

/** `at` as `MM-DD HH:mm` on `timezone`'s wall clock, for what operators read. */
export function localShortTime(at: Date, timezone: string): string {
  const parts = partsOf(at, timezone);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${two(parts.month)}-${two(parts.day)} ${two(parts.hour)}:${two(parts.minute)}`;
}

/** `at`'s calendar day in `timezone`, `YYYY-MM-DD`. */
export function localDate(at: Date, timezone: string): string {
  const parts = partsOf(at, timezone);
  return `${parts.year}-${String(parts.month).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}`;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    partsOf(new Date(0), zone);
    return true;
  } catch {
    return false;
  }
}

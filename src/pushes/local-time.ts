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

/** The instant the calendar month of `at` began in `timezone` (WeChat's monthly mass quota counts calendar months). */
export function localMonthStart(at: Date, timezone: string): Date {
  const parts = partsOf(at, timezone);
  const midnight = Date.UTC(parts.year, parts.month - 1, 1);
  // The offset on the 1st, not today's: a daylight-saving change may lie between.
  const guess = midnight - offsetAt(at.getTime(), timezone);
  return new Date(midnight - offsetAt(guess, timezone));
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

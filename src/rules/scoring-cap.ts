import { propertyKey } from '../timeline/event-property-index';
import { ownValue } from '../util/own-value';
import type { ScoringRule } from './rules-document.schema';

/** What a cap counts for one event: ledger rows sharing `key` (per profile and rule) may number at most `limit`. */
export interface CapSlot {
  key: string;
  limit: number;
}

const dayMs = 86_400_000;
const quarterHourMs = 900_000;
/** Since 1980 every zone's offset and every change of it falls on a quarter hour (Liberia's −0:44:30 ended in 1972). */
const quarterHoursFrom = Date.UTC(1980, 0, 1);
const dateFormats = new Map<string, { format: Intl.DateTimeFormat; days: Map<number, number> }>();

/**
 * Days since 1970-01-01 of the calendar day `at` falls on in `timezone`. Formatting a date in a zone costs about a
 * microsecond, and a rules backfill asks for millions; a local day changes only at local midnight, which since 1980
 * is on a quarter hour in every zone, so the answer is kept per zone and UTC quarter hour.
 */
export function localDayNumber(at: Date, timezone: string): number {
  let zone = dateFormats.get(timezone);
  if (!zone) {
    zone = {
      format: new Intl.DateTimeFormat('en-CA', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }),
      days: new Map(),
    };
    dateFormats.set(timezone, zone);
  }
  const time = at.getTime();
  const quarter = time >= quarterHoursFrom ? Math.floor(time / quarterHourMs) : undefined;
  const known = quarter === undefined ? undefined : zone.days.get(quarter);
  if (known !== undefined) return known;
  const day = Math.floor(Date.parse(`${zone.format.format(at)}T00:00:00Z`) / dayMs);
  if (quarter !== undefined) {
    // A year of quarter hours is 35,040 entries: plenty for a backfill, small enough to keep.
    if (zone.days.size >= 100_000) zone.days.clear();
    zone.days.set(quarter, day);
  }
  return day;
}

/**
 * The cap slot an event falls in: `once` one slot per person; `oncePer` one per value of the property (an event
 * without it can't be told apart, so the rule doesn't score it: undefined); `max N per 1d|7d|30d` one per block of
 * that many calendar days in the account's time zone (day, week, month blocks counted from 1970-01-01), so the same
 * events give the same points whatever order they arrive in. Null: the rule has no cap.
 */
export function capSlot(
  rule: ScoringRule,
  event: { occurredAt: Date; properties: Readonly<Record<string, unknown>> },
  timezone: string,
): CapSlot | null | undefined {
  const cap = rule.cap;
  if (cap === undefined) return null;
  if (cap === 'once') return { key: 'once', limit: 1 };
  if ('oncePer' in cap) {
    const value = ownValue(event.properties, cap.oncePer);
    if (typeof value === 'string' || typeof value === 'boolean') return { key: propertyKey(value), limit: 1 };
    if (typeof value === 'number' && Number.isFinite(value)) return { key: JSON.stringify(value), limit: 1 };
    return undefined;
  }
  const days = Number.parseInt(cap.per, 10);
  return { key: `${cap.per}:${Math.floor(localDayNumber(event.occurredAt, timezone) / days)}`, limit: cap.max };
}

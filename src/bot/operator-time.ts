import * as chrono from 'chrono-node';
import { utcOffsetMinutes } from '../util/local-time';
import type { BotLocale } from './bot-command.types';

/** What is wrong with a time an operator typed. */
export type TimeProblem = 'unreadable' | 'no-time-of-day' | 'past';

/** `+30m`, `+2h`, `+1d` (and 分钟/小时/天): that long from now. */
const relative = /^\+\s*(\d{1,4})\s*(m|min|分钟|h|小时|d|天)$/iu;
const unitMs: Record<string, number> = { m: 60_000, min: 60_000, 分钟: 60_000, h: 3_600_000, 小时: 3_600_000 };

/**
 * A time as operators write it, in the account's time zone: `明天10点`, `今晚8点`, `周五 9:30`, `12月4日 10:00`,
 * `2026-12-04 10:00`, `tomorrow 10am`, ISO 8601 with or without an offset, or `+2h`. The whole text must be the time
 * (nothing left over), name a time of day, and lie ahead of `now`; otherwise the problem says what to fix.
 */
export function parseOperatorTime(
  text: string,
  context: { now: Date; timezone: string },
): { at: Date } | { problem: TimeProblem } {
  const typed = text.trim();
  const plus = relative.exec(typed);
  if (plus) {
    const unit = plus[2].toLowerCase();
    const ms = Number(plus[1]) * (unitMs[unit] ?? 86_400_000);
    return ms > 0 ? { at: new Date(context.now.getTime() + ms) } : { problem: 'past' };
  }
  const parsed = readWhole(typed, context.now, utcOffsetMinutes(context.now, context.timezone));
  if (!parsed) return { problem: 'unreadable' };
  if (!parsed.start.isCertain('hour')) return { problem: 'no-time-of-day' };
  let at = parsed.start.date();
  // Read again at the offset of the day it names, should a daylight-saving change lie between.
  const offset = utcOffsetMinutes(at, context.timezone);
  if (offset !== utcOffsetMinutes(context.now, context.timezone))
    at = readWhole(typed, context.now, offset)?.start.date() ?? at;
  return at.getTime() > context.now.getTime() ? { at } : { problem: 'past' };
}

/** The one reading of `text` that covers all of it, in Chinese or English, or none. */
function readWhole(text: string, now: Date, offsetMinutes: number): chrono.ParsedResult | undefined {
  const reference = { instant: now, timezone: offsetMinutes };
  for (const parser of [chrono.zh.hans, chrono.en]) {
    const [first, ...others] = parser.parse(text, reference);
    if (first && others.length === 0 && first.index === 0 && first.text.trim() === text) return first;
  }
  return undefined;
}

/** A time as operators read it, local, with the weekday: `12月4日（周五）10:00`, `Fri 4 Dec 10:00`. */
export function formatOperatorTime(at: Date, timezone: string, locale: BotLocale, now: Date): string {
  const sameYear = yearIn(at, timezone) === yearIn(now, timezone);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: timezone,
      year: 'numeric',
      month: locale === 'en' ? 'short' : 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const time = `${parts.hour}:${parts.minute}`;
  if (locale === 'en') return `${parts.weekday} ${parts.day} ${parts.month}${sameYear ? '' : ` ${parts.year}`} ${time}`;
  return `${sameYear ? '' : `${parts.year}年`}${parts.month}月${parts.day}日（${parts.weekday}）${time}`;
}

function yearIn(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, year: 'numeric' }).format(at);
}

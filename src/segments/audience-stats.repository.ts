import type { Database } from '../db/database';
import { liveProfiles } from './segment-sql-compiler';
import { localDate, localDayStart } from '../util/local-time';

export interface AudienceOverview {
  /** Live profiles following at least one account. */
  followers: number;
  /** Of those, first followed since the start of the day and of the week. */
  newToday: number;
  newThisWeek: number;
  /** Live profiles per lifecycle stage. */
  lifecycle: Record<string, number>;
  /** The most held tags outside lifecycle, most first. */
  topTags: { tag: string; count: number }[];
}

/** Counts over the live audience for operators: followers, newcomers, lifecycle stages and tags. */
export class AudienceStats {
  constructor(private readonly db: Database) {}

  async overview(since: { today: Date; week: Date }, topTags = 5): Promise<AudienceOverview> {
    const [[followers], lifecycle, tags] = await Promise.all([
      this.db.select<{ followers: number; today: number | null; week: number | null }>(
        `SELECT COUNT(*) AS followers,
                SUM(CASE WHEN f.first_at >= :today THEN 1 ELSE 0 END) AS today,
                SUM(CASE WHEN f.first_at >= :week THEN 1 ELSE 0 END) AS week
           FROM (SELECT s.profile_id, MIN(s.first_subscribed_at) AS first_at
                   FROM subscriptions s JOIN profiles p ON p.id = s.profile_id
                  WHERE s.subscribed = :yes AND ${liveProfiles}
                  GROUP BY s.profile_id) f`,
        { today: since.today, week: since.week, yes: true },
      ),
      this.db.select<{ name: string; n: number }>(
        `SELECT t.name, COUNT(*) AS n FROM tags t JOIN profiles p ON p.id = t.profile_id WHERE t.name LIKE 'lifecycle/%' AND ${liveProfiles} GROUP BY t.name`,
      ),
      this.tagCounts({ excludeCategory: 'lifecycle', limit: topTags }),
    ]);
    return {
      followers: Number(followers.followers),
      newToday: Number(followers.today ?? 0),
      newThisWeek: Number(followers.week ?? 0),
      lifecycle: Object.fromEntries(lifecycle.map((row) => [row.name.slice('lifecycle/'.length), Number(row.n)])),
      topTags: tags,
    };
  }

  /**
   * Follows and unfollows per local day over the `days` days up to `now`, oldest first, every day listed (a day
   * without any has zeros): from the timeline's subscribe and unsubscribe events.
   */
  async followerGrowth(
    now: Date,
    timezone: string,
    days = 30,
  ): Promise<{ day: string; follows: number; unfollows: number }[]> {
    const dayMs = 86_400_000;
    // Noon of each day, stepped back from today's: a local day whatever the zone's daylight-saving changes.
    const noon = localDayStart(now, timezone).getTime() + dayMs / 2;
    const listed = Array.from({ length: days }, (_, index) =>
      localDate(new Date(noon - (days - 1 - index) * dayMs), timezone),
    );
    const byDay = new Map(listed.map((day) => [day, { day, follows: 0, unfollows: 0 }]));
    const from = localDayStart(new Date(noon - (days - 1) * dayMs), timezone);
    const rows = await this.db.selectLong<{ type: string; occurred_at: unknown }>(
      "SELECT type, occurred_at FROM events WHERE type IN ('subscribe', 'unsubscribe') AND occurred_at >= ? AND occurred_at <= ?",
      [from, now],
    );
    for (const row of rows) {
      const at = this.db.parseTime(row.occurred_at);
      const entry = at ? byDay.get(localDate(at, timezone)) : undefined;
      if (!entry) continue;
      if (row.type === 'subscribe') entry.follows += 1;
      else entry.unfollows += 1;
    }
    return [...byDay.values()];
  }

  /** Every tag live profiles hold, with how many hold it, most first (then by name). */
  async tagCounts(
    options: { excludeCategory?: string; limit?: number } = {},
  ): Promise<{ tag: string; count: number }[]> {
    const exclude = options.excludeCategory ? 'AND t.name NOT LIKE :prefix' : '';
    const limit = options.limit ? `LIMIT ${Math.trunc(options.limit)}` : '';
    const rows = await this.db.select<{ name: string; n: number }>(
      `SELECT t.name, COUNT(*) AS n FROM tags t JOIN profiles p ON p.id = t.profile_id WHERE ${liveProfiles} ${exclude} GROUP BY t.name ORDER BY n DESC, t.name ${limit}`,
      { prefix: `${options.excludeCategory ?? ''}/%` },
    );
    return rows.map((row) => ({ tag: row.name, count: Number(row.n) }));
  }
}

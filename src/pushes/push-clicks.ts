import type { Logger } from 'pino';
import type { Database } from '../db/database';
import { firstOpenidOf } from '../profiles/profile-lookups';
import type { InboundEvent } from '../ingest/inbound-event';
import type { PushContent } from './push-content';
import { type LinkTarget, linksIn, type TrackedLinks } from './tracked-links';
import type { Clock } from '../util/clock';

/** A push's links in the order tracked links number them: those of its text, then its template's URL. */
export function pushLinks(content: PushContent): string[] {
  return [
    ...(content.message.type === 'text' ? linksIn(content.message.text) : []),
    ...(content.template?.url ? [content.template.url] : []),
  ];
}

const minuteMs = 60_000;
/** Clicks remembered per instance for the current minute; past it, the inbox's unique key alone keeps them single. */
const maxRemembered = 10_000;

/**
 * Following a tracked link: the follower is sent on to the original URL and, when the link was theirs alone, a
 * `push_click` goes onto their timeline through the inbox (so rules react to it like to anything they do).
 *
 * Anyone holding a link can request it as often as they like, unauthenticated: one click per recipient, link and
 * minute (of the injected clock) counts. The click's key names the minute, so the inbox and the timeline store it
 * once whichever instance sees it; this instance also remembers the minute's clicks, so requesting a link again writes
 * nothing at all. The redirect never depends on the click being recorded.
 */
export class PushClicks {
  private minute = -1;
  private readonly recorded = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly links: TrackedLinks,
    private readonly accept: (source: string, events: InboundEvent[]) => Promise<void>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** The URL to redirect to, or undefined for a token that isn't a link of a push. */
  async follow(token: string): Promise<string | undefined> {
    const target = await this.links.resolve(token);
    if (!target) return undefined;
    const [push] = await this.db.select<{ account: string; content: string }>(
      'SELECT account, content FROM pushes WHERE id = ?',
      [target.pushId],
    );
    if (!push) return undefined;
    const url = pushLinks(JSON.parse(push.content) as PushContent)[target.link];
    if (!url) return undefined;
    if (target.profileId !== null) {
      await this.record({ ...target, profileId: target.profileId }, push.account, url).catch((error: unknown) =>
        this.log.warn(
          { err: error, push: target.pushId },
          'tracked link: the click could not be recorded; redirected anyway',
        ),
      );
    }
    return url;
  }

  private async record(target: LinkTarget & { profileId: number }, account: string, url: string): Promise<void> {
    const now = this.clock();
    const minute = Math.floor(now.getTime() / minuteMs);
    const key = `click:${target.pushId}:${target.link}:${target.profileId}:${new Date(minute * minuteMs).toISOString().slice(0, 16)}`;
    if (minute !== this.minute) {
      this.minute = minute;
      this.recorded.clear();
    }
    // Checked and taken before any wait: requests arriving together record one click.
    if (this.recorded.has(key)) return;
    if (this.recorded.size < maxRemembered) this.recorded.add(key);
    try {
      const openid = await firstOpenidOf(this.db, target.profileId, account);
      if (openid === undefined) return;
      await this.accept('pushes', [
        {
          key,
          type: 'push_click',
          channel: 'wechat',
          occurredAt: now,
          identities: [{ type: 'openid', scope: account, value: openid }],
          properties: { pushId: target.pushId, link: target.link, url },
        },
      ]);
    } catch (error) {
      // Not recorded after all: the next request may try again.
      this.recorded.delete(key);
      throw error;
    }
  }
}

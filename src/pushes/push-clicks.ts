import type { Database } from '../db/database';
import type { InboundEvent } from '../ingest/inbound-event';
import type { PushContent } from './push-content';
import { linksIn, type TrackedLinks } from './tracked-links';
import type { Clock } from '../util/clock';

/** A push's links in the order tracked links number them: those of its text, then its template's URL. */
export function pushLinks(content: PushContent): string[] {
  return [...(content.message.type === 'text' ? linksIn(content.message.text) : []), ...(content.template?.url ? [content.template.url] : [])];
}

/**
 * Following a tracked link: the follower is sent on to the original URL and, when the link was theirs alone, a
 * `push_click` goes onto their timeline through the inbox (so rules react to it like to anything they do).
 */
export class PushClicks {
  constructor(
    private readonly db: Database,
    private readonly links: TrackedLinks,
    private readonly accept: (source: string, events: InboundEvent[]) => Promise<void>,
    private readonly clock: Clock,
  ) {}

  /** The URL to redirect to, or undefined for a token that isn't a link of a push. */
  async follow(token: string): Promise<string | undefined> {
    const target = await this.links.resolve(token);
    if (!target) return undefined;
    const [push] = await this.db.select<{ account: string; content: string }>('SELECT account, content FROM pushes WHERE id = ?', [target.pushId]);
    if (!push) return undefined;
    const url = pushLinks(JSON.parse(push.content) as PushContent)[target.link];
    if (!url) return undefined;
    if (target.profileId !== null) {
      const [openid] = await this.db.select<{ value: string }>(
        "SELECT value FROM identities WHERE profile_id = ? AND type = 'openid' AND scope = ? ORDER BY id LIMIT 1",
        [target.profileId, push.account],
      );
      if (openid) {
        const now = this.clock();
        await this.accept('pushes', [
          {
            key: `click:${token}:${now.getTime()}`,
            type: 'push_click',
            channel: 'wechat',
            occurredAt: now,
            identities: [{ type: 'openid', scope: push.account, value: openid.value }],
            properties: { pushId: target.pushId, link: target.link, url },
          },
        ]);
      }
    }
    return url;
  }
}

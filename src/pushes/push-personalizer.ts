import type { Database } from '../db/database';
import { type PushContent, personalize, placeholderNames } from './push-content';
import type { PushInfo, ReadyDelivery } from './push-decider';
import { linksIn, type TrackedLinks } from './tracked-links';
import { attributeValuesOf } from '../profiles/profile-lookups';

/**
 * What each recipient receives: the push's content with its links tracked and its placeholders filled from the
 * recipients' attributes (read for a whole claim at once).
 */
export class PushPersonalizer {
  constructor(
    private readonly db: Database,
    private readonly links: TrackedLinks,
  ) {}

  /**
   * What one recipient (or, with `profileId` null, everyone in a mass send) receives: links made tracked links first
   * (only the operator's own links, not any a placeholder brings in), then placeholders filled.
   */
  async contentFor(
    push: PushInfo,
    profileId: number | null,
    attributes?: Record<string, unknown>,
  ): Promise<PushContent> {
    let content = push.content;
    if (content.trackLinks) {
      const target = { pushId: push.id, profileId };
      const message =
        content.message.type === 'text'
          ? { ...content.message, text: await this.links.rewrite(content.message.text, target) }
          : content.message;
      const textLinks = content.message.type === 'text' ? linksIn(content.message.text).length : 0;
      const template = content.template?.url
        ? {
            ...content.template,
            url: await this.links.rewriteUrl(content.template.url, { ...target, link: textLinks }),
          }
        : content.template;
      content = { ...content, message, ...(template ? { template } : {}) };
    }
    return personalize(content, attributes);
  }

  /** The attributes the pushes' placeholders read, for the recipients. */
  async attributesFor(
    rows: readonly ReadyDelivery[],
    pushes: Map<number, PushInfo>,
  ): Promise<Map<number, Record<string, unknown>>> {
    const names = [...new Set(rows.flatMap((row) => placeholderNames((pushes.get(row.pushId) as PushInfo).content)))];
    const byProfile = new Map<number, Record<string, unknown>>();
    if (names.length === 0) return byProfile;
    const found = await attributeValuesOf(this.db, { names, scope: [...new Set(rows.map((row) => row.profileId))] });
    for (const row of found) {
      const values = byProfile.get(Number(row.profile_id)) ?? {};
      values[row.name] = JSON.parse(row.value) as unknown;
      byProfile.set(Number(row.profile_id), values);
    }
    return byProfile;
  }
}

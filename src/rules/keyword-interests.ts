import type { Transaction } from 'sequelize';
import type { ProcessedEvent } from '../ingest/event-pipeline';
import type { RuleSet } from './rule-set';
import type { TagService } from './tag.service';

const dayMs = 86_400_000;

/** The words of a message that keyword interests read: a text's content, a voice message's recognised text. */
function messageText(event: ProcessedEvent): string | undefined {
  if (event.type !== 'message') return undefined;
  const text = event.properties.content ?? event.properties.recognition;
  return typeof text === 'string' && text.length > 0 ? text.toLowerCase() : undefined;
}

/**
 * Interests from what followers write: a message containing one of an interest's keywords gives `interest/<name>`
 * (source `keyword`) until `days` after that message; a later matching message extends it, the tag-expiry job ends
 * it. The text is matched here and not kept anywhere else.
 */
export class KeywordInterests {
  constructor(private readonly tags: TagService) {}

  async apply(event: ProcessedEvent, rules: RuleSet, now: Date, transaction: Transaction): Promise<string[]> {
    const text = messageText(event);
    const { keywords, days } = rules.document.keywordInterests;
    if (text === undefined) return [];
    const interests = Object.entries(keywords)
      .filter(([, words]) => words.some((word) => text.includes(word.toLowerCase())))
      .map(([name]) => `interest/${name}`);
    const expiresAt = new Date(event.occurredAt.getTime() + days * dayMs);
    if (interests.length === 0 || expiresAt <= now) return [];
    const { added } = await this.tags.apply(
      {
        profileId: event.profileId,
        add: interests,
        source: 'keyword',
        at: event.occurredAt,
        key: event.sourceKey,
        expiresAt,
      },
      transaction,
    );
    return added;
  }
}

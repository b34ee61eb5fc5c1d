import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../db/database';
import { liveProfileId } from '../profiles/live-profile';
import type { RulesProvider } from '../rules/rules-provider';
import type { TagService } from '../rules/tag.service';
import { localDayStart } from '../util/local-time';
import { ValidationError } from '../errors/app.errors';
import { aiText } from './ai.messages';
import { answerIssue } from './answer-issues';
import type { LanguageModel } from './language-model';
import type { Clock } from '../util/clock';
import { eventsByIds, eventsWithPropertySince, eventsWithPropertyValues } from '../timeline/timeline-lookups';

const dayMs = 86_400_000;
/** The most of a message the model reads. */
const maxText = 500;

export interface ClassificationOptions {
  perDay: number;
  batchSize: number;
  timezone: string;
}

/** The interest topics: `interest/<topic>` tags the rules know, keyword interests, and the interest tags in use. */
async function topicsOf(tags: TagService, rules: RulesProvider): Promise<string[]> {
  const current = rules.current;
  const held = await tags.namesInUse('interest/');
  const names = [
    ...current.tagRules.map((rule) => rule.tag),
    ...Object.keys(current.document.tags.labels),
    ...Object.keys(current.document.keywordInterests.keywords).map((name) => `interest/${name}`),
    ...held,
  ];
  return [
    ...new Set(names.filter((name) => name.startsWith('interest/')).map((name) => name.slice('interest/'.length))),
  ].sort();
}

/**
 * Classifies what followers write into the interest taxonomy, with the model: text messages not classified yet (from
 * the last `rules.keywordInterests.days`), a batch per request, at most `perDay` a day. A message's interests become
 * `interest/<topic>` tags (source `ai`) until that many days after it, like keyword interests. Each message is
 * recorded as classified (with what was found, never its text), so none is sent twice.
 */
export class InterestClassification {
  constructor(
    private readonly db: Database,
    private readonly model: LanguageModel,
    private readonly tags: TagService,
    private readonly rules: RulesProvider,
    private readonly options: ClassificationOptions,
    private readonly clock: Clock,
  ) {}

  /** One round: batches until today's cap or the messages run out; answers how many were classified and tagged. */
  async run(log: Logger, signal?: AbortSignal): Promise<{ classified: number; tagged: number }> {
    const now = this.clock();
    const days = this.rules.current.document.keywordInterests.days;
    const [{ n: used }] = await this.db.select<{ n: number }>(
      'SELECT COUNT(*) AS n FROM ai_classifications WHERE classified_at >= ?',
      [localDayStart(now, this.options.timezone)],
    );
    let left = this.options.perDay - Number(used);
    const totals = { classified: 0, tagged: 0 };
    const topics = await topicsOf(this.tags, this.rules);
    if (topics.length === 0) return totals;
    while (left > 0 && !signal?.aborted) {
      const messages = await this.next(Math.min(left, this.options.batchSize), new Date(now.getTime() - days * dayMs));
      if (messages.length === 0) break;
      // Messages without words (an erased person's) are recorded as having none, without asking.
      const asked = messages.filter((message) => message.text.trim() !== '');
      const answers =
        asked.length > 0
          ? await this.classify(
              asked.map((message) => message.text),
              topics,
            )
          : [];
      const found = messages.map((message) => answers[asked.indexOf(message)] ?? []);
      totals.tagged += await this.record(messages, found, now, days);
      totals.classified += messages.length;
      left -= messages.length;
    }
    if (totals.classified > 0) log.info(totals, 'ai: follower messages classified into interests');
    return totals;
  }

  /** Text messages since `since` not classified yet, oldest first, found through the property index. */
  private async next(
    limit: number,
    since: Date,
  ): Promise<{ eventId: number; profileId: number; occurredAt: Date; text: string }[]> {
    const rows = await this.db.select<{ event_id: number }>(
      `SELECT m.event_id FROM ${eventsWithPropertySince} m LEFT JOIN ai_classifications c ON c.event_id = m.event_id
        WHERE c.event_id IS NULL
        ORDER BY m.occurred_at, m.event_id LIMIT ${Math.trunc(limit)}`,
      { ...eventsWithPropertyValues('message', 'subtype', 'text'), since },
    );
    if (rows.length === 0) return [];
    const events = await eventsByIds(
      this.db,
      rows.map((row) => Number(row.event_id)),
    );
    return events.map((event) => {
      const content = (JSON.parse(event.properties ?? '{}') as { content?: unknown }).content;
      return {
        eventId: Number(event.id),
        profileId: Number(event.profile_id),
        occurredAt: this.db.parseTime(event.occurred_at) as Date,
        text: typeof content === 'string' ? content.slice(0, maxText) : '',
      };
    });
  }

  /** Interests per message, from the model, checked against the topics. */
  private async classify(texts: string[], topics: string[]): Promise<string[][]> {
    const schema = {
      type: 'object',
      properties: {
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              index: { type: 'integer' },
              interests: { type: 'array', items: { type: 'string', enum: topics } },
            },
            required: ['index', 'interests'],
            additionalProperties: false,
          },
        },
      },
      required: ['results'],
      additionalProperties: false,
    };
    const validator = z
      .object({
        results: z.array(
          z
            .object({
              index: z
                .number()
                .int()
                .min(0)
                .max(texts.length - 1),
              interests: z.array(z.enum(topics as [string, ...string[]])).max(topics.length),
            })
            .strict(),
        ),
      })
      .strict();
    return this.model.structured({
      name: 'message_interests',
      system: [
        'You classify short messages that followers sent to a brand’s WeChat official account into interest topics.',
        `Topics: ${topics.join(', ')}.`,
        'For each message, list the topics it clearly shows an interest in (often none). Greetings and service questions have none.',
      ].join('\n'),
      user: texts.map((text, index) => `${index}: ${JSON.stringify(text)}`).join('\n'),
      schema,
      validate: (value) => {
        const parsed = validator.safeParse(value);
        if (!parsed.success)
          throw new ValidationError(aiText('classification.invalid', { issue: answerIssue(parsed.error.issues[0]) }));
        const byIndex: string[][] = texts.map(() => []);
        for (const result of parsed.data.results) byIndex[result.index] = [...new Set(result.interests)];
        return byIndex;
      },
    });
  }

  /** Records the batch as classified and tags each person, in one transaction; answers the tags added. */
  private async record(
    messages: { eventId: number; profileId: number; occurredAt: Date }[],
    found: string[][],
    now: Date,
    days: number,
  ): Promise<number> {
    return this.db.transaction(async (transaction) => {
      let added = 0;
      for (const [index, message] of messages.entries()) {
        const inserted = await this.db.execute(
          `${this.db.insertIgnoreInto} ai_classifications (event_id, profile_id, interests, classified_at) VALUES (?, ?, ?, ?)`,
          [message.eventId, message.profileId, JSON.stringify(found[index]), now],
          transaction,
        );
        const expiresAt = new Date(message.occurredAt.getTime() + days * dayMs);
        // Another instance took this message meanwhile, or its interests would have expired already.
        if (inserted === 0 || found[index].length === 0 || expiresAt <= now) continue;
        const profileId = await liveProfileId(this.db, message.profileId, transaction, { lock: true });
        const change = {
          profileId,
          add: found[index].map((topic) => `interest/${topic}`),
          source: 'ai',
          at: now,
          key: `ai:${message.eventId}`,
          expiresAt,
        };
        added += (await this.tags.apply(change, transaction)).added.length;
      }
      return added;
    });
  }
}

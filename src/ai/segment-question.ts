import { z } from 'zod';
import {
  type CompareOp,
  compareOps,
  lifecycleStages,
  type SegmentExpr,
  shorthandFields,
} from '../segments/segment-ast';
import { printSegment } from '../segments/segment-printer';
import { checkMeaning } from '../segments/segment-semantics';
import type { SegmentVocabulary } from '../segments/segment-vocabulary';
import { ValidationError } from '../errors/app.errors';
import { aiText } from './ai.messages';
import { answerIssue, oneOf } from './answer-issues';
import type { LanguageModel } from './language-model';

/** What the model may name: the real vocabulary, with what operators call tags. */
export interface QuestionVocabulary extends SegmentVocabulary {
  /** Labels by tag, in the operators' languages (`loyal` → `忠实用户`, `loyal customer`). */
  tagLabels: Readonly<Record<string, readonly string[]>>;
}

/** A condition as the model answers it: a small, strict tree that maps onto the segment language's. */
type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'tag'; tag: string }
  | { kind: 'lifecycle'; stage: (typeof lifecycleStages)[number] }
  | { kind: 'attribute'; name: string; op: CompareOp; value: string | number }
  | { kind: 'event'; type: string; atLeast: number; withinDays: number | null }
  | { kind: 'score'; op: CompareOp; value: number }
  | { kind: 'lastSeen'; op: '<' | '>'; days: number }
  | { kind: 'subscribed'; following: boolean };

const maxNodes = 40;

/** The answer's JSON Schema, for structured output (strict: every property required, nothing else). */
function answerSchema(vocabulary: QuestionVocabulary): Record<string, unknown> {
  const object = (properties: Record<string, unknown>) => ({
    type: 'object',
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  });
  const node = { $ref: '#/$defs/condition' };
  const nonEmpty = (values: readonly string[]) => (values.length > 0 ? values : ['(none)']);
  return {
    ...object({ condition: node }),
    $defs: {
      condition: {
        anyOf: [
          object({ kind: { type: 'string', enum: ['and', 'or'] }, items: { type: 'array', items: node } }),
          object({ kind: { type: 'string', const: 'not' }, item: node }),
          object({ kind: { type: 'string', const: 'tag' }, tag: { type: 'string', enum: nonEmpty(vocabulary.tags) } }),
          object({
            kind: { type: 'string', const: 'lifecycle' },
            stage: { type: 'string', enum: [...lifecycleStages] },
          }),
          object({
            kind: { type: 'string', const: 'attribute' },
            name: { type: 'string', enum: nonEmpty(vocabulary.attributes) },
            op: { type: 'string', enum: [...compareOps] },
            value: { type: ['string', 'number'] },
          }),
          object({
            kind: { type: 'string', const: 'event' },
            type: { type: 'string', enum: nonEmpty(vocabulary.eventTypes) },
            atLeast: { type: 'integer' },
            withinDays: { type: ['integer', 'null'] },
          }),
          object({
            kind: { type: 'string', const: 'score' },
            op: { type: 'string', enum: [...compareOps] },
            value: { type: 'number' },
          }),
          object({
            kind: { type: 'string', const: 'lastSeen' },
            op: { type: 'string', enum: ['<', '>'] },
            days: { type: 'integer' },
          }),
          object({ kind: { type: 'string', const: 'subscribed' }, following: { type: 'boolean' } }),
        ],
      },
    },
  };
}

/** The same shape, checked here against the vocabulary: what the model says is never trusted as it comes. */
function answerValidator(vocabulary: QuestionVocabulary): z.ZodType<{ condition: Condition }> {
  const condition: z.ZodType<Condition> = z.lazy(() =>
    z.discriminatedUnion('kind', [
      z.object({ kind: z.enum(['and', 'or']), items: z.array(condition).min(1).max(20) }).strict(),
      z.object({ kind: z.literal('not'), item: condition }).strict(),
      z.object({ kind: z.literal('tag'), tag: oneOf(vocabulary.tags, 'tag') }).strict(),
      z.object({ kind: z.literal('lifecycle'), stage: z.enum(lifecycleStages) }).strict(),
      z
        .object({
          kind: z.literal('attribute'),
          name: oneOf(vocabulary.attributes, 'attribute'),
          op: z.enum(compareOps),
          value: z.union([z.string().min(1).max(256), z.number()]),
        })
        .strict(),
      z
        .object({
          kind: z.literal('event'),
          type: oneOf(vocabulary.eventTypes, 'eventType'),
          atLeast: z.number().int().min(1).max(100_000),
          withinDays: z.number().int().min(1).max(3650).nullable(),
        })
        .strict(),
      z
        .object({ kind: z.literal('score'), op: z.enum(compareOps), value: z.number().min(-1_000_000).max(1_000_000) })
        .strict(),
      z
        .object({ kind: z.literal('lastSeen'), op: z.enum(['<', '>']), days: z.number().int().min(1).max(3650) })
        .strict(),
      z.object({ kind: z.literal('subscribed'), following: z.boolean() }).strict(),
    ]),
  ) as z.ZodType<Condition>;
  return z.object({ condition }).strict();
}

/** The segment language's tree for a validated condition. */
function toExpression(condition: Condition): SegmentExpr {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return condition.items.length === 1
        ? toExpression(condition.items[0])
        : { kind: condition.kind, items: condition.items.map(toExpression) };
    case 'not':
      return { kind: 'not', item: toExpression(condition.item) };
    case 'tag':
      return { kind: 'tag', name: condition.tag };
    case 'lifecycle':
      return { kind: 'lifecycle', stage: condition.stage };
    case 'attribute': {
      const field = (shorthandFields as readonly string[]).includes(condition.name)
        ? condition.name
        : `attr.${condition.name}`;
      return { kind: 'field', field, op: condition.op, value: condition.value };
    }
    case 'event':
      return {
        kind: 'event',
        types: [condition.type],
        filters: [],
        sum: null,
        op: '>=',
        count: condition.atLeast,
        window: condition.withinDays === null ? null : { amount: condition.withinDays, unit: 'd' },
      };
    case 'score':
      return { kind: 'score', group: null, op: condition.op, value: condition.value };
    case 'lastSeen':
      return { kind: 'lastSeen', op: condition.op, ago: { amount: condition.days, unit: 'd' } };
    case 'subscribed':
      return condition.following
        ? { kind: 'subscribed', account: null }
        : { kind: 'not', item: { kind: 'subscribed', account: null } };
  }
}

function size(condition: Condition): number {
  if (condition.kind === 'and' || condition.kind === 'or')
    return 1 + condition.items.reduce((sum, item) => sum + size(item), 0);
  if (condition.kind === 'not') return 1 + size(condition.item);
  return 1;
}

/** Persona's instructions: the language's meaning and the vocabulary; nothing about any person. */
function instructions(vocabulary: QuestionVocabulary): string {
  const labelled = vocabulary.tags.map((tag) =>
    vocabulary.tagLabels[tag]?.length ? `${tag} (${vocabulary.tagLabels[tag].join(' / ')})` : tag,
  );
  return [
    'You translate a marketing operator’s question about the followers of a WeChat official account into a condition that selects those followers.',
    'Answer only with the condition, as the JSON schema says. Use only the tags, attributes and event types listed. Do not invent names.',
    'Lifecycle stages: potential (known, not following), new (followed within 7 days), active (seen within 30 days), dormant (silent 30 to 90 days), churned.',
    '"score" is the total engagement score; "lastSeen" compares days since the last interaction; "event" counts events of a type, at least atLeast times, within withinDays days (null: ever).',
    'Attribute values are compared as written (cities usually in English, e.g. Shanghai); interests are tags interest/<topic>.',
    `Tags: ${labelled.join(', ') || '(none yet)'}`,
    `Attributes: ${vocabulary.attributes.join(', ')}`,
    `Event types: ${vocabulary.eventTypes.join(', ') || '(none yet)'}`,
  ].join('\n');
}

/**
 * `ask`: a plain-language question → a condition from the model, validated against the schema and the real vocabulary,
 * → an expression in the segment language (canonical). The caller counts it; nothing is ever sent from here.
 */
export async function expressionFor(
  model: LanguageModel,
  operator: string,
  question: string,
  vocabulary: QuestionVocabulary,
): Promise<string> {
  const answer = await model.structured(
    {
      name: 'segment_condition',
      system: instructions(vocabulary),
      user: question,
      schema: answerSchema(vocabulary),
      validate: (value) => {
        const parsed = answerValidator(vocabulary).safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new ValidationError(
            aiText('condition.invalid', {
              path: issue.path.join('.') || aiText('answer.top'),
              issue: answerIssue(issue),
            }),
          );
        }
        if (size(parsed.data.condition) > maxNodes)
          throw new ValidationError(aiText('condition.tooLarge', { max: String(maxNodes) }));
        const expr = toExpression(parsed.data.condition);
        checkMeaning(expr);
        return printSegment(expr);
      },
    },
    operator,
  );
  return answer;
}

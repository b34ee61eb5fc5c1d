import { z } from 'zod';
import { intBetween, slug, tagName } from '../config/config-fields';
import { propertyNamePattern, type SegmentExpr, segmentTerms } from '../segments/segment-ast';
import { parsePropertyFilters, parseSegment } from '../segments/segment-parser';
import { printName } from '../segments/segment-printer';
import { checkComparable, checkMeaning } from '../segments/segment-semantics';

/** Where an expression fails to read, as a zod issue message. */
function readable(parse: (text: string) => unknown): (text: string, context: z.RefinementCtx) => void {
  return (text, context) => {
    try {
      parse(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  };
}

function referencesSegment(expr: SegmentExpr): boolean {
  return segmentTerms(expr).some((term) => term.kind === 'segment' || term.kind === 'frozenList');
}

const eventType = z
  .string({ error: 'expected an event type' })
  .regex(/^[a-z][a-z0-9_]{0,63}$/, { error: 'expected an event type such as article_view' });

/** How often one rule may give points to one person. */
const cap = z.union(
  [
    z.literal('once'),
    z
      .object({
        oncePer: z.string().regex(propertyNamePattern, { error: 'expected a property name such as articleId' }),
      })
      .strict(),
    z
      .object({ max: intBetween(1, 10_000), per: z.enum(['1d', '7d', '30d'], { error: 'expected 1d, 7d or 30d' }) })
      .strict(),
  ],
  { error: 'expected once, { oncePer: <property> } or { max: <n>, per: 1d | 7d | 30d }' },
);

/** One way to earn (or lose) points. */
export const scoringRuleSchema = z
  .object({
    /** Stable name: the ledger keys points by (event, rule id), so renaming a rule scores its events again. */
    id: slug,
    /** The event type it scores. */
    on: eventType,
    /** Conditions on the event, in the segment language's property syntax: `channel=website, topic=sports`. */
    where: z
      .string()
      .max(4000)
      .superRefine(
        readable((text) =>
          parsePropertyFilters(text).forEach((filter) => checkComparable(filter.property, filter.op, filter.value)),
        ),
      )
      .optional(),
    /** Points given (negative: taken away). */
    points: z
      .number({ error: 'expected a number of points' })
      .int({ error: 'expected whole points' })
      .min(-10_000)
      .max(10_000),
    /** The score group the points go to; the total score is the sum of the groups. */
    group: slug.default('engagement'),
    /** At most once ever, once per value of a property (once per article), or at most N per day, week or month. */
    cap: cap.optional(),
  })
  .strict();

/** A tag that holds exactly while its expression is true: added when it becomes true, removed when it becomes false. */
export const tagRuleSchema = z
  .object({
    /** The tag; with `each`, `{name}` in it is replaced by each value (`interest/{topic}`). */
    tag: z.string().min(1).max(128),
    /** An expression in the segment language (`score >= 90`); saved segments can't be referenced, rules stand alone. */
    when: z.string().max(4000),
    /** The tag's category when its name has none (`loyal` → value). */
    category: slug.optional(),
    /** One rule per value: `{ topic: [sports, travel] }` makes `interest/sports` and `interest/travel`, each value written in place of `{topic}`. */
    each: z
      .record(
        z.string().regex(/^[a-z][a-zA-Z0-9]{0,31}$/, { error: 'expected a placeholder name such as topic' }),
        z.array(z.string().min(1).max(128)).min(1).max(500),
      )
      .refine((each) => Object.keys(each).length === 1, {
        error: 'expected one placeholder with its values, e.g. { topic: [sports, travel] }',
      })
      .optional(),
  })
  .strict()
  .superRefine((rule, context) => {
    for (const expanded of expandTagRule(rule)) {
      const name = tagName.safeParse(expanded.tag);
      if (!name.success)
        context.addIssue({ code: 'custom', path: ['tag'], input: expanded.tag, message: name.error.issues[0].message });
      const problem = expressionProblem(expanded.when);
      if (problem) context.addIssue({ code: 'custom', path: ['when'], input: expanded.when, message: problem });
    }
  });

/** Why a tag rule's expression can't be used, if it can't. */
function expressionProblem(text: string): string | undefined {
  try {
    const expr = parseSegment(text);
    checkMeaning(expr);
    return referencesSegment(expr) ? 'tag rules stand alone: write the condition instead of segment:<name>' : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A tag rule as one rule per value of its `each` (itself when it has none). */
export function expandTagRule(rule: {
  tag: string;
  when: string;
  category?: string;
  each?: Record<string, string[]>;
}): { tag: string; when: string; category?: string }[] {
  const [placeholder] = Object.entries(rule.each ?? {});
  if (!placeholder) return [{ tag: rule.tag, when: rule.when, category: rule.category }];
  const [key, values] = placeholder;
  return values.map((value) => ({
    tag: rule.tag.replaceAll(`{${key}}`, value),
    when: rule.when.replaceAll(`{${key}}`, printName(value)),
    category: rule.category,
  }));
}

const displayNames = z.object({ 'zh-CN': z.string().min(1).max(64), en: z.string().min(1).max(64) }).strict();

/**
 * Persona's rules: how interactions score and which tags follow from a profile's facts. Written under `rules:` in
 * the config (hot-reloaded); `POST /api/rules/preview` takes the same document.
 */
export const rulesDocumentSchema = z
  .object({
    /** Score groups and how fast their points fade: after `halfLifeDays` an event's points count half (0: never fade). */
    scoreGroups: z
      .record(slug, z.object({ halfLifeDays: z.number().min(0).max(3650) }).strict())
      .default({ engagement: { halfLifeDays: 90 }, intent: { halfLifeDays: 90 } }),
    /** Scoring rules; every matching rule scores an event. */
    scoring: z.array(scoringRuleSchema).default([]),
    /** Score levels whose crossing, up or down, is a `score_crossed` event (and webhook): `total` or a group. */
    thresholds: z
      .array(
        z
          .object({
            score: slug,
            at: z.number({ error: 'expected a number of points' }).min(-1_000_000).max(1_000_000),
          })
          .strict(),
      )
      .default([]),
    /** Interests from words followers write: a text (or recognised voice) message containing a keyword gives `interest/<name>` for `days`. */
    keywordInterests: z
      .object({
        /** How long such a tag lasts after the last message that gave it. */
        days: z.number().int().min(1).max(3650).default(90),
        /** Keywords per interest, matched case-insensitively anywhere in the message. */
        keywords: z.record(slug, z.array(z.string().min(1).max(64)).min(1).max(500)).default({}),
      })
      .strict()
      .prefault({}),
    tags: z
      .object({
        /** Tag categories (the part of a tag's name before its slash) with their display names. */
        categories: z.record(slug, displayNames.extend({ exclusive: z.boolean().default(false) })).default({}),
        /** Rule tags. */
        rules: z.array(tagRuleSchema).default([]),
        /**
         * What operators call tags (`loyal: { zh-CN: 忠实用户, en: loyal customer }`): shown next to the tag's name, and
         * accepted for it in expressions (`标签:忠实用户` is `tag:loyal`).
         */
        labels: z
          .record(
            tagName,
            z
              .object({ 'zh-CN': z.string().min(1).max(64).optional(), en: z.string().min(1).max(64).optional() })
              .strict(),
          )
          .default({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((document, context) => {
    const ids = new Set<string>();
    document.scoring.forEach((rule, index) => {
      if (ids.has(rule.id))
        context.addIssue({
          code: 'custom',
          path: ['scoring', index, 'id'],
          input: rule.id,
          message: `rule id ${rule.id} is used twice`,
        });
      ids.add(rule.id);
      if (!Object.hasOwn(document.scoreGroups, rule.group)) {
        context.addIssue({
          code: 'custom',
          path: ['scoring', index, 'group'],
          input: rule.group,
          message: `expected a score group declared in scoreGroups (${Object.keys(document.scoreGroups).join(', ')})`,
        });
      }
    });
    document.thresholds.forEach((threshold, index) => {
      if (threshold.score !== 'total' && !Object.hasOwn(document.scoreGroups, threshold.score)) {
        context.addIssue({
          code: 'custom',
          path: ['thresholds', index, 'score'],
          input: threshold.score,
          message: `expected total or a score group declared in scoreGroups`,
        });
      }
    });
    const labels = new Map<string, string>();
    for (const [tag, names] of Object.entries(document.tags.labels)) {
      for (const label of Object.values(names)) {
        const other = label ? labels.get(label.toLowerCase()) : undefined;
        if (other && other !== tag)
          context.addIssue({
            code: 'custom',
            path: ['tags', 'labels', tag],
            input: label,
            message: `label ${label} is also ${other}'s`,
          });
        if (label) labels.set(label.toLowerCase(), tag);
      }
    }
    const tags = new Set<string>();
    document.tags.rules.forEach((rule, index) => {
      for (const { tag } of expandTagRule(rule)) {
        if (tags.has(tag))
          context.addIssue({
            code: 'custom',
            path: ['tags', 'rules', index, 'tag'],
            input: rule.tag,
            message: `tag ${tag} has two rules`,
          });
        tags.add(tag);
      }
    });
  });

export type RulesDocument = z.output<typeof rulesDocumentSchema>;
export type ScoringRule = z.output<typeof scoringRuleSchema>;
export type TagRule = z.output<typeof tagRuleSchema>;

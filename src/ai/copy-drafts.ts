import { z } from 'zod';
import { ValidationError } from '../errors/app.errors';
import { aiText } from './ai.messages';
import { answerIssue } from './answer-issues';
import type { LanguageModel } from './language-model';

/** What an audience is like, in aggregate: no person in it is named or quoted. */
export interface AudienceTraits {
  expression: string;
  count: number;
  /** People per lifecycle stage. */
  lifecycle: Readonly<Record<string, number>>;
  /** The most held tags, with what operators call them. */
  topTags: readonly { tag: string; label?: string; count: number }[];
}

export interface CopyDraft {
  headline: string;
  text: string;
}

const variantCount = 3;
/** Under WeChat's customer-service text limit, with room for a link. */
const maxText = 600;

const schema = {
  type: 'object',
  properties: {
    variants: {
      type: 'array',
      items: {
        type: 'object',
        properties: { headline: { type: 'string' }, text: { type: 'string' } },
        required: ['headline', 'text'],
        additionalProperties: false,
      },
    },
  },
  required: ['variants'],
  additionalProperties: false,
};

/** The refusal of an answer with more or fewer variants. */
const variantCountText = aiText('drafts.variantCount', { count: String(variantCount) });

const validator = z
  .object({
    variants: z
      .array(
        z.object({ headline: z.string().trim().min(1).max(64), text: z.string().trim().min(1).max(maxText) }).strict(),
      )
      .length(variantCount, { error: variantCountText.in('en') }),
  })
  .strict();

/**
 * `draft`: three variants of a push's copy for an audience, from its traits and the operator's brief. The prompt
 * holds aggregates only (counts, tags, lifecycle), never a follower's data or words.
 */
export async function draftCopy(
  model: LanguageModel,
  operator: string,
  traits: AudienceTraits,
  brief: string,
  language: 'zh-CN' | 'en',
): Promise<CopyDraft[]> {
  const share = (count: number) => `${Math.round((count / Math.max(1, traits.count)) * 100)}%`;
  const lifecycle = Object.entries(traits.lifecycle).map(([stage, count]) => `${stage} ${share(count)}`);
  const tags = traits.topTags.map((tag) => `${tag.label ? `${tag.label} (${tag.tag})` : tag.tag} ${share(tag.count)}`);
  const answer = await model.structured(
    {
      name: 'push_copy',
      system: [
        'You write short push messages for a brand’s WeChat official account.',
        `Write ${variantCount} different variants in ${language === 'zh-CN' ? 'Simplified Chinese' : 'English'}, each with a headline of at most 64 characters and a text of at most ${maxText} characters.`,
        'Address the reader warmly; you may write {{name|<fallback>}} where their name should go. No invented facts, prices or dates beyond the brief.',
      ].join('\n'),
      user: [
        `Audience: ${traits.expression} (${traits.count} followers).`,
        `Lifecycle: ${lifecycle.join(', ') || 'unknown'}.`,
        `Common tags: ${tags.join(', ') || 'none'}.`,
        `Brief: ${brief}`,
      ].join('\n'),
      schema,
      validate: (value) => {
        const parsed = validator.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const wrongCount = issue.message === variantCountText.in('en');
          throw new ValidationError(
            aiText('drafts.invalid', { issue: wrongCount ? variantCountText : answerIssue(issue) }),
          );
        }
        return parsed.data.variants;
      },
    },
    operator,
  );
  return answer;
}

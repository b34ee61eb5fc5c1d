import { AiError } from '../../ai/ai.errors';
import { draftCopy } from '../../ai/copy-drafts';
import type { LanguageModel } from '../../ai/language-model';
import type { BotCommand } from '../bot-command.types';
import { aiFailure } from '../ai-failure';
import type { BotServices } from '../bot-services';
import { inEveryLocale, translator } from '../message-catalog';

/** `draft <segment | "expression"> <brief>`: three copy variants for the audience, from its traits alone. */
export function draftCommand(services: BotServices, model: LanguageModel): BotCommand {
  return {
    name: 'draft',
    aliases: ['文案'],
    role: 'operator',
    usage: inEveryLocale('usage.draft'),
    summary: inEveryLocale('draft.summary'),
    async run({ args, rest, operator, locale }) {
      const t = translator(locale);
      const brief = rest(1);
      if (!args[0] || !brief) return t('draft.usage');
      if (!model.enabled) return t('ai.off');
      const audience = (await services.segments.lookup(args[0])) ? `segment:${args[0]}` : args[0];
      const preview = await services.segments.preview(audience);
      const labels = services.rules.current.labels;
      try {
        const drafts = await draftCopy(
          model,
          operator.contact,
          {
            expression: preview.expression,
            count: preview.count,
            lifecycle: preview.byLifecycle,
            topTags: preview.topTags.slice(0, 8).map((tag) => ({
              ...tag,
              ...(labels.labelOf(tag.tag, locale) ? { label: labels.labelOf(tag.tag, locale) } : {}),
            })),
          },
          brief,
          locale,
        );
        return [
          t('draft.title', { expression: preview.expression }),
          ...drafts.map((draft, index) => `${index + 1}. ${draft.headline}\n${draft.text}`),
          t('draft.reuse'),
        ].join('\n\n');
      } catch (error) {
        if (error instanceof AiError) return aiFailure(error, t);
        throw error;
      }
    },
  };
}

import { AiError } from '../../ai/ai.errors';
import type { LanguageModel } from '../../ai/language-model';
import { expressionFor } from '../../ai/segment-question';
import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { aiFailure } from '../ai-failure';
import { inEveryLocale, translator } from '../message-catalog';

/**
 * `ask <question>`: the model turns a plain-language question into an expression (validated against the real
 * vocabulary), shown back and counted. It never sends anything; the expression can be reused in `/push`.
 */
export function askCommand(services: BotServices, model: LanguageModel): BotCommand {
  return {
    name: 'ask',
    aliases: ['问'],
    role: 'viewer',
    usage: inEveryLocale('usage.ask'),
    summary: inEveryLocale('ask.summary'),
    async run({ rest, operator, locale }) {
      const t = translator(locale);
      const question = rest(0);
      if (!question) return t('ask.usage');
      if (!model.enabled) return t('ai.off');
      try {
        const rules = services.rules.current;
        const data = await services.segments.vocabulary();
        const tags = [
          ...new Set([
            ...data.tags,
            ...rules.tagRules.map((rule) => rule.tag),
            ...Object.keys(rules.document.tags.labels),
          ]),
        ].sort();
        const expression = await expressionFor(model, operator.contact, question, {
          ...data,
          tags,
          tagLabels: Object.fromEntries(tags.map((tag) => [tag, rules.labels.labelsOf(tag)])),
        });
        const measured = await services.segments.measure(expression);
        return t('ask.answer', { expression: measured.expression, count: measured.count });
      } catch (error) {
        if (error instanceof AiError) return aiFailure(error, t);
        throw error;
      }
    },
  };
}

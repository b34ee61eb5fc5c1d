import { z } from 'zod';
import { LocalizedText } from '../i18n/message-catalog';
import { aiText } from './ai.messages';

/** The names a model's answer may only pick from a list of (the vocabulary's tags, attributes and event types). */
export type KnownNameKind = 'tag' | 'attribute' | 'eventType';

/** A string that must be one of `values`; anything else is an issue that names it in the reader's language. */
export function oneOf(values: readonly string[], kind: KnownNameKind): z.ZodType<string> {
  return z.string().superRefine((value, context) => {
    if (values.includes(value)) return;
    const text = aiText('answer.unknownName', { value, kind });
    context.addIssue({ code: 'custom', message: text.in('en'), params: { text } });
  });
}

/**
 * What is wrong with a model's answer, for the reader: in English as the schema says it (`issue.message`), in Chinese
 * as this room says it (what `oneOf` refused, or the kind of problem).
 */
export function answerIssue(issue: z.core.$ZodIssue): LocalizedText {
  if (issue.code === 'custom' && issue.params?.text instanceof LocalizedText) return issue.params.text;
  return aiText('answer.issue', { message: issue.message, code: issue.code });
}

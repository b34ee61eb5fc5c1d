import type { BotLocale } from './bot-command.types';
import type { TagLabels } from '../segments/tag-labels';

/** A tag as operators read it: its label in their language when it has one (`忠实用户`), else its name. */
export function shownTag(labels: TagLabels, tag: string, locale: BotLocale): string {
  return labels.labelOf(tag, locale) ?? tag;
}

/** A lifecycle stage as operators read it (`沉睡用户`), from its tag's label. */
export function shownStage(labels: TagLabels, stage: string, locale: BotLocale): string {
  return labels.labelOf(`lifecycle/${stage}`, locale) ?? stage;
}

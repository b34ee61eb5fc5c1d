import { ValidationError } from '../../errors/app.errors';
import type { BotCommand, BotRequest } from '../bot-command.types';
import { parseRulesDocument } from '../../rules/rules-provider';
import type { RulesDocument } from '../../rules/rules-document.schema';
import type { BotServices } from '../bot-services';
import { botText, formatCount, inEveryLocale, type Translate, translator } from '../message-catalog';
import type { TagLabels } from '../../segments/tag-labels';
import { shownTag } from '../tag-names';

/** The rules in force, as chat lines: scoring rules, thresholds and tag rules (tags by their labels). */
function rulesText(document: RulesDocument, t: Translate, tagShown: (tag: string) => string): string {
  const scoring = document.scoring.map(
    (rule) =>
      `  ${rule.id}: ${rule.on}${rule.where ? `[${rule.where}]` : ''} ${rule.points > 0 ? '+' : ''}${rule.points} (${rule.group})`,
  );
  const tags = document.tags.rules.map(
    (rule) => `  ${tagShown(rule.tag)} ⇐ ${rule.when}${rule.each ? ` (${Object.values(rule.each)[0].length}×)` : ''}`,
  );
  return [
    t('rules.scoring', { count: scoring.length }),
    ...scoring,
    t('rules.tags', { count: tags.length }),
    ...tags,
    t('rules.previewHint'),
  ].join('\n');
}

/**
 * The document with one change: `<scoring rule id> <points>` reprices a rule; `<tag> <expression>` gives a rule tag
 * a new expression. Validated like any rules document.
 */
function changed(
  document: RulesDocument,
  args: readonly string[],
  value: (skip: number) => string,
  labels: TagLabels,
): RulesDocument {
  const copy = JSON.parse(JSON.stringify(document)) as {
    scoring: { id: string; points: number }[];
    tags: { rules: { tag: string; when: string }[] };
  };
  const target = args[1];
  const scoring = copy.scoring.find((rule) => rule.id === target);
  if (scoring) {
    if (!/^[+-]?\d+$/.test(args[2] ?? '')) throw new ValidationError(botText('rules.pointsNeeded', { rule: target }));
    scoring.points = Number(args[2]);
  } else {
    // A rule tag by its name or its label (忠实用户 for loyal).
    const tag = labels.tagOf(target);
    const tagRule = copy.tags.rules.find((rule) => rule.tag === tag);
    if (!tagRule) throw new ValidationError(botText('rules.noSuchRule', { name: target }));
    tagRule.when = value(2);
    if (!tagRule.when) throw new ValidationError(botText('rules.expressionNeeded', { tag: target }));
  }
  return parseRulesDocument(copy);
}

/** `rules`: the rules in force; `rules preview <rule> <points>` or `<tag> <expression>`: what the change would do. */
export function rulesCommand(services: BotServices): BotCommand {
  const preview = async ({ args, value, locale }: BotRequest, t: Translate) => {
    if (!args[1]) return t('rules.previewUsage');
    const { document, labels } = services.rules.current;
    const result = await services.rulesPreview.preview(changed(document, args, value, labels), services.clock());
    const moved = result.tags
      .filter((tag) => tag.gain > 0 || tag.lose > 0)
      .map(
        (tag) =>
          `  ${shownTag(labels, tag.tag, locale)}: ${formatCount(tag.holders)} → +${formatCount(tag.gain)} −${formatCount(tag.lose)}`,
      );
    return [
      t('rules.previewScores', {
        changed: result.scoring.profilesChanged,
        before: result.scoring.mean.before.toFixed(1),
        after: result.scoring.mean.after.toFixed(1),
      }),
      ...(moved.length > 0 ? [t('rules.previewTags'), ...moved] : [t('rules.previewNoTags')]),
      t('rules.previewNothingChanged'),
    ].join('\n');
  };
  return {
    name: 'rules',
    aliases: ['规则'],
    role: 'viewer',
    usage: inEveryLocale('usage.rules'),
    summary: inEveryLocale('rules.summary'),
    defaultSubcommand: 'show',
    subcommands: [
      {
        name: 'show',
        aliases: ['查看'],
        role: 'viewer',
        usage: inEveryLocale('usage.rules.show'),
        summary: inEveryLocale('rules.show.summary'),
      },
      {
        name: 'preview',
        aliases: ['预演', '预览'],
        role: 'admin',
        usage: inEveryLocale('usage.rules.preview'),
        summary: inEveryLocale('rules.preview.summary'),
      },
    ],
    async run(request) {
      const t = translator(request.locale);
      const { document, labels } = services.rules.current;
      return request.subcommand === 'preview'
        ? preview(request, t)
        : rulesText(document, t, (tag) => shownTag(labels, tag, request.locale));
    },
  };
}

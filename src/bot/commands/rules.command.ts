import { ValidationError } from '../../errors/app.errors';
import type { BotCommand, BotRequest } from '../bot-command.types';
import { parseRulesDocument } from '../../rules/rules-provider';
import type { RulesDocument } from '../../rules/rules-document.schema';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, type Translate, translator } from '../message-catalog';

/** The rules in force, as chat lines: scoring rules, thresholds and tag rules. */
function rulesText(document: RulesDocument, t: Translate): string {
  const scoring = document.scoring.map(
    (rule) =>
      `  ${rule.id}: ${rule.on}${rule.where ? `[${rule.where}]` : ''} ${rule.points > 0 ? '+' : ''}${rule.points} (${rule.group})`,
  );
  const tags = document.tags.rules.map(
    (rule) => `  ${rule.tag} ⇐ ${rule.when}${rule.each ? ` (${Object.values(rule.each)[0].length}×)` : ''}`,
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
function changed(document: RulesDocument, args: readonly string[], value: (skip: number) => string): RulesDocument {
  const copy = JSON.parse(JSON.stringify(document)) as {
    scoring: { id: string; points: number }[];
    tags: { rules: { tag: string; when: string }[] };
  };
  const target = args[1];
  const scoring = copy.scoring.find((rule) => rule.id === target);
  if (scoring) {
    if (!/^[+-]?\d+$/.test(args[2] ?? ''))
      throw new ValidationError(`expected the new points for ${target}, e.g. /rules preview ${target} 12`);
    scoring.points = Number(args[2]);
  } else {
    const tagRule = copy.tags.rules.find((rule) => rule.tag === target);
    if (!tagRule) throw new ValidationError(`no scoring rule or rule tag named ${target}`);
    tagRule.when = value(2);
    if (!tagRule.when)
      throw new ValidationError(`expected the new expression for ${target}, e.g. /rules preview ${target} score >= 80`);
  }
  try {
    return parseRulesDocument(copy);
  } catch (error) {
    const problems = (error as ValidationError).details as { problems?: string[] } | undefined;
    throw new ValidationError(problems?.problems?.[0] ?? (error as Error).message);
  }
}

/** `rules`: the rules in force; `rules preview <rule> <points>` or `<tag> <expression>`: what the change would do. */
export function rulesCommand(services: BotServices): BotCommand {
  const preview = async ({ args, value }: BotRequest, t: Translate) => {
    if (!args[1]) return t('rules.previewUsage');
    const result = await services.rulesPreview.preview(
      changed(services.rules.current.document, args, value),
      services.clock(),
    );
    const moved = result.tags
      .filter((tag) => tag.gain > 0 || tag.lose > 0)
      .map((tag) => `  ${tag.tag}: ${formatCount(tag.holders)} → +${formatCount(tag.gain)} −${formatCount(tag.lose)}`);
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
    usage: '/rules [preview …]',
    summary: inEveryLocale('rules.summary'),
    defaultSubcommand: 'show',
    subcommands: [
      {
        name: 'show',
        aliases: ['查看'],
        role: 'viewer',
        usage: '/rules show',
        summary: inEveryLocale('rules.show.summary'),
      },
      {
        name: 'preview',
        aliases: ['预演', '预览'],
        role: 'admin',
        usage: '/rules preview <rule id> <points> | <tag> <expression>',
        summary: inEveryLocale('rules.preview.summary'),
      },
    ],
    async run(request) {
      const t = translator(request.locale);
      return request.subcommand === 'preview' ? preview(request, t) : rulesText(services.rules.current.document, t);
    },
  };
}

import type { BotCommand } from '../bot-command.types';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, translator } from '../message-catalog';

/** Tags listed per category in chat; the rest are summed up. */
const perCategory = 15;

/** `tags`: the taxonomy: categories (with their names), their tags with labels, and how many people hold each. */
export function tagsCommand(services: BotServices): BotCommand {
  return {
    name: 'tags',
    aliases: ['标签'],
    role: 'viewer',
    usage: inEveryLocale('usage.tags'),
    summary: inEveryLocale('tags.summary'),
    async run({ locale }) {
      const t = translator(locale);
      const rules = services.rules.current;
      const counts = await services.stats.tagCounts();
      if (counts.length === 0) return t('tags.none');
      const byCategory = new Map<string, { tag: string; count: number }[]>();
      for (const entry of counts) {
        const category = rules.categoryOf(entry.tag);
        byCategory.set(category, [...(byCategory.get(category) ?? []), entry]);
      }
      const categories = rules.document.tags.categories;
      const lines = [t('tags.title', { count: counts.length })];
      for (const [category, tags] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
        const name = Object.hasOwn(categories, category) ? `${categories[category][locale]} (${category})` : category;
        lines.push(`${name}${rules.isExclusive(category) ? ` · ${t('tags.exclusive')}` : ''}`);
        for (const { tag, count } of tags.slice(0, perCategory)) {
          const label = rules.labels.labelOf(tag, locale);
          lines.push(`  ${tag}${label ? ` (${label})` : ''} ${formatCount(count)}`);
        }
        if (tags.length > perCategory) lines.push(`  ${t('tags.more', { count: tags.length - perCategory })}`);
      }
      return lines.join('\n');
    },
  };
}

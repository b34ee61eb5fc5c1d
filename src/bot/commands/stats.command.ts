import type { BotCommand } from '../bot-command.types';
import { localDayStart, localWeekStart } from '../../util/local-time';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, translator } from '../message-catalog';

/** `stats`: followers, newcomers today and this week, lifecycle stages, top tags and this week's pushes. */
export function statsCommand(services: BotServices): BotCommand {
  return {
    name: 'stats',
    aliases: ['统计', '数据'],
    role: 'viewer',
    usage: inEveryLocale('usage.stats'),
    summary: inEveryLocale('stats.summary'),
    async run({ locale }) {
      const t = translator(locale);
      const now = services.clock();
      const since = { today: localDayStart(now, services.timezone), week: localWeekStart(now, services.timezone) };
      const [overview, pushes] = await Promise.all([
        services.stats.overview(since),
        services.pushes.activitySince(since.week),
      ]);
      const labels = services.rules.current.labels;
      const stages = ['potential', 'new', 'active', 'dormant', 'churned']
        .filter((stage) => overview.lifecycle[stage] !== undefined)
        .map(
          (stage) =>
            `${labels.labelOf(`lifecycle/${stage}`, locale) ?? stage} ${formatCount(overview.lifecycle[stage])}`,
        );
      const tags = overview.topTags.map(
        ({ tag, count }) => `${labels.labelOf(tag, locale) ?? tag} ${formatCount(count)}`,
      );
      return [
        t('stats.followers', {
          count: overview.followers,
          today: overview.newToday,
          week: overview.newThisWeek,
        }),
        t('stats.lifecycle', { stages: stages.join(' · ') || '—' }),
        t('stats.topTags', { tags: tags.join(' · ') || '—' }),
        t('stats.pushes', {
          pushes: pushes.confirmed,
          sent: pushes.sent,
          failed: pushes.failed,
        }),
      ].join('\n');
    },
  };
}

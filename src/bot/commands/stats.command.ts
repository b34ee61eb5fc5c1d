import type { BotCommand } from '../bot-command.types';
import { followerGrowthChart, lifecycleChart, topTagsChart } from '../../charts/chart-kinds';
import { shownStage, shownTag } from '../tag-names';
import { localDayStart, localWeekStart } from '../../util/local-time';
import type { BotServices } from '../bot-services';
import { formatCount, inEveryLocale, translator } from '../message-catalog';

/**
 * `stats`: followers, newcomers today and this week, lifecycle stages, top tags and this week's pushes, with charts:
 * follows and unfollows over 30 days, the lifecycle split, the top tags.
 */
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
      const [overview, pushes, growth] = await Promise.all([
        services.stats.overview(since),
        services.pushes.activitySince(since.week),
        services.stats.followerGrowth(now, services.timezone),
      ]);
      const labels = services.rules.current.labels;
      const stageCounts = ['potential', 'new', 'active', 'dormant', 'churned']
        .filter((stage) => overview.lifecycle[stage] !== undefined)
        .map((stage) => ({ name: shownStage(labels, stage, locale), count: overview.lifecycle[stage] }));
      const tagCounts = overview.topTags.map(({ tag, count }) => ({ name: shownTag(labels, tag, locale), count }));
      const stages = stageCounts.map((stage) => `${stage.name} ${formatCount(stage.count)}`);
      const tags = tagCounts.map((tag) => `${tag.name} ${formatCount(tag.count)}`);
      // Drawn side by side (resvg renders on the thread pool).
      const images = await Promise.all([
        services.charts.draw(followerGrowthChart(growth, locale)),
        ...(stageCounts.length > 0 ? [services.charts.draw(lifecycleChart(stageCounts, locale))] : []),
        ...(tagCounts.length > 0 ? [services.charts.draw(topTagsChart(tagCounts, locale))] : []),
      ]);
      const text = [
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
      return { text, images };
    },
  };
}

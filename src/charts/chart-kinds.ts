import type { EChartsCoreOption } from 'echarts';
import type { Locale } from '../i18n/message-catalog';
import { chartWords } from './charts.messages';

/** A chart to draw: its ECharts option, a file name, and the data it shows (given beside the picture). */
export interface ChartSpec {
  name: string;
  option: EChartsCoreOption;
  data: unknown;
}

/** Brand-neutral colours, in the order series take them. */
const palette = ['#2f7ed8', '#e4572e', '#17a398', '#f2a541', '#6c5b7b', '#8d99ae'];

const base = (title: string): EChartsCoreOption => ({
  color: palette,
  title: { text: title, left: 'center', top: 12, textStyle: { fontSize: 18 } },
  grid: { top: 80, left: 60, right: 30, bottom: 50 },
});

/** Follows and unfollows per local day, with the net change: `day` is `YYYY-MM-DD`, shown `MM-DD`. */
export function followerGrowthChart(
  days: readonly { day: string; follows: number; unfollows: number }[],
  locale: Locale,
): ChartSpec {
  const say = chartWords(locale);
  const [follows, unfollows, net] = [say('followers.follows'), say('followers.unfollows'), say('followers.net')];
  return {
    name: 'followers.png',
    data: { days },
    option: {
      ...base(say('followers.title', { days: days.length })),
      legend: { data: [follows, unfollows, net], top: 44 },
      xAxis: { type: 'category', data: days.map((entry) => entry.day.slice(5)) },
      yAxis: { type: 'value', name: say('people'), minInterval: 1 },
      series: [
        { name: follows, type: 'bar', data: days.map((entry) => entry.follows) },
        { name: unfollows, type: 'bar', data: days.map((entry) => -entry.unfollows) },
        { name: net, type: 'line', data: days.map((entry) => entry.follows - entry.unfollows) },
      ],
    },
  };
}

/** How many people are at each lifecycle stage (already named as operators read them). */
export function lifecycleChart(stages: readonly { name: string; count: number }[], locale: Locale): ChartSpec {
  const say = chartWords(locale);
  return {
    name: 'lifecycle.png',
    data: { stages },
    option: {
      ...base(say('lifecycle.title')),
      series: [
        {
          type: 'pie',
          radius: ['35%', '62%'],
          center: ['50%', '58%'],
          label: { formatter: '{b}\n{c}' },
          data: stages.map((stage) => ({ name: stage.name, value: stage.count })),
        },
      ],
    },
  };
}

/** The most held tags (by their labels), most first, as horizontal bars. */
export function topTagsChart(tags: readonly { name: string; count: number }[], locale: Locale): ChartSpec {
  const say = chartWords(locale);
  const shown = [...tags].reverse();
  return {
    name: 'tags.png',
    data: { tags },
    option: {
      ...base(say('tags.title')),
      grid: { top: 60, left: 130, right: 50, bottom: 30 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: shown.map((tag) => tag.name) },
      series: [{ type: 'bar', data: shown.map((tag) => tag.count), label: { show: true, position: 'right' } }],
    },
  };
}

/** A saved segment's daily count. */
export function segmentTrendChart(
  name: string,
  days: readonly { day: string; count: number }[],
  locale: Locale,
): ChartSpec {
  const say = chartWords(locale);
  return {
    name: 'segment.png',
    data: { segment: name, days },
    option: {
      ...base(say('segment.title', { name })),
      xAxis: { type: 'category', data: days.map((entry) => entry.day.slice(5)) },
      yAxis: { type: 'value', name: say('people'), minInterval: 1 },
      series: [{ type: 'line', areaStyle: { opacity: 0.15 }, data: days.map((entry) => entry.count) }],
    },
  };
}

/** A push's funnel: its recipients, those it was sent to, those who clicked. */
export function pushFunnelChart(
  id: number,
  funnel: { recipients: number; sent: number; clicked: number },
  locale: Locale,
): ChartSpec {
  const say = chartWords(locale);
  const steps = [
    { name: say('funnel.recipients'), value: funnel.recipients },
    { name: say('funnel.sent'), value: funnel.sent },
    { name: say('funnel.clicked'), value: funnel.clicked },
  ];
  return {
    name: `push-${id}.png`,
    data: { push: id, ...funnel },
    option: {
      ...base(say('funnel.title', { id })),
      xAxis: { type: 'category', data: steps.map((step) => step.name) },
      yAxis: { type: 'value', name: say('people'), minInterval: 1 },
      series: [
        { type: 'bar', barWidth: '45%', data: steps.map((step) => step.value), label: { show: true, position: 'top' } },
      ],
    },
  };
}

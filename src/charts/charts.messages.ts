import { defineCatalogue, sayer, type Locale } from '../i18n/message-catalog';

/** Every word a chart shows: titles, series, axes. */
const en = {
  'followers.title': 'Followers, last {days, number} days',
  'followers.follows': 'follows',
  'followers.unfollows': 'unfollows',
  'followers.net': 'net',
  'lifecycle.title': 'Lifecycle',
  'tags.title': 'Top tags',
  'segment.title': 'Segment {name}: people per day',
  'funnel.title': 'Push #{id}: recipients → sent → clicked',
  'funnel.recipients': 'recipients',
  'funnel.sent': 'sent',
  'funnel.clicked': 'clicked',
  people: 'people',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'followers.title': '粉丝增长（近 {days, number} 天）',
  'followers.follows': '关注',
  'followers.unfollows': '取消关注',
  'followers.net': '净增',
  'lifecycle.title': '生命周期分布',
  'tags.title': '热门标签',
  'segment.title': '人群 {name}：每日人数',
  'funnel.title': '推送 #{id}：收件人 → 已发送 → 已点击',
  'funnel.recipients': '收件人',
  'funnel.sent': '已发送',
  'funnel.clicked': '已点击',
  people: '人数',
};

export type ChartMessageKey = keyof typeof en;
export const chartMessages = defineCatalogue<ChartMessageKey>('charts', en, zhCN);
export const chartWords = (locale: Locale) => sayer(chartMessages, locale);

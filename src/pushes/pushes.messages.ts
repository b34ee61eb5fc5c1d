import { defineCatalogue, texts } from '../i18n/message-catalog';

/**
 * What the pushes room says when it refuses something, in English (the API's language, byte for byte what it always
 * said) and Chinese (what an operator reads in chat). `{state}` is `push.state`, rendered in the message's language.
 */
const en = {
  'push.state': '{status}',
  'push.notFound': 'no push {id}',
  'push.user': 'push {id} ({state})',
  'push.trackLinksOff': 'content.trackLinks: set pushes.publicUrl (where followers reach this server) to track links',
  'push.notReplannable': 'push {id} is {state}: only a plan waiting for confirmation can be planned again',
  'push.sendAtPassed': 'push {id} was to go out at {sendAt}: plan it again with a later time',
  'push.changedMeanwhile': 'push {id} was confirmed or cancelled meanwhile',
  'push.changedOrExpiredMeanwhile': 'push {id} was confirmed, cancelled or expired meanwhile',
  'push.expired': "push {id}'s plan expired: plan it again (a fresh code in chat) to confirm it",
  'push.notPlanned': 'push {id} is {state}: only a planned push can be confirmed',
  'push.noSender':
    'nothing can send over {channels}: enable the wechat-official-account plugin (with an appSecret) first',
  'push.nothingToCancel': 'push {id} is {state}: nothing left to cancel',
  'preview.noSender': 'nothing can send a preview: enable the wechat-official-account plugin (with an appSecret) first',
  'preview.refused': 'WeChat refused the preview ({code})',
  'account.unknown': 'account: no account "{account}" sends pushes; known: {known}',
  'account.none': 'account: no account sends pushes: enable the wechat-official-account plugin with an account first',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'push.state':
    '{status, select, planned {待确认} expired {已过期} scheduled {已定时} sending {正在发送} active {正在运行} done {已完成} cancelled {已取消} other {状态为 {status}}}',
  'push.notFound': '找不到推送 #{id}',
  'push.user': '推送 #{id}（{state}）',
  'push.trackLinksOff': 'content.trackLinks：要统计链接点击，请先设置 pushes.publicUrl（粉丝访问本服务器的地址）',
  'push.notReplannable': '推送 #{id} {state}：只有等待确认的计划才能重新计划',
  'push.sendAtPassed': '推送 #{id} 原定 {sendAt} 发送，时间已过：请用更晚的时间重新计划',
  'push.changedMeanwhile': '推送 #{id} 在此期间已被确认或取消',
  'push.changedOrExpiredMeanwhile': '推送 #{id} 在此期间已被确认、取消或已过期',
  'push.expired': '推送 #{id} 的计划已过期：请重新计划（聊天中会给出新的验证码）后再确认',
  'push.notPlanned': '推送 #{id} {state}：只有待确认的推送才能确认',
  'push.noSender': '无法通过{channelsZh}发送：请先启用 wechat-official-account 插件（并配置 appSecret）',
  'push.nothingToCancel': '推送 #{id} {state}：已没有可取消的内容',
  'preview.noSender': '无法发送预览：请先启用 wechat-official-account 插件（并配置 appSecret）',
  'preview.refused': '微信拒绝了这次预览（错误码 {code}）',
  'account.unknown': 'account：没有名为“{account}”的账号可以发送推送；已有的账号：{knownZh}',
  'account.none': 'account：没有可以发送推送的账号：请先启用 wechat-official-account 插件并配置一个公众号',
};

export const pushesMessages = defineCatalogue('pushes', en, zhCN);
export const pushesText = texts(pushesMessages);

/** A push's status as its reader says it (`done` → 已完成), for `{state}`. */
export const pushState = (status: string) => pushesText('push.state', { status });

/** Channels as the Chinese messages name them. */
const channelNames: Readonly<Record<string, string>> = {
  customer_service: '客服消息',
  mass: '群发',
  template: '模板消息',
};

/** A list of channels for the Chinese messages: `客服消息、群发`. */
export const channelsInChinese = (channels: readonly string[]) =>
  channels.map((channel) => channelNames[channel] ?? channel).join('、');

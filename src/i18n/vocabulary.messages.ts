import { defineCatalogue, hasKey, type Locale, LocalizedText, renderMessage } from './message-catalog';

/**
 * The shared vocabulary as operators read it: event types, attributes, identity types, event properties and
 * attribute values with a fixed meaning. A code the catalogue doesn't know is shown as it is.
 */
const en = {
  'event.subscribe': 'followed',
  'event.unsubscribe': 'unfollowed',
  'event.message': 'message',
  'event.qr_scan': 'QR scan',
  'event.menu_click': 'menu click',
  'event.menu_view': 'menu link',
  'event.location_report': 'location',
  'event.wechat_event': 'WeChat event',
  'event.page_view': 'page view',
  'event.article_view': 'article read',
  'event.article_favorite': 'article saved',
  'event.article_share': 'article shared',
  'event.search': 'search',
  'event.form_submit': 'form sent',
  'event.add_to_cart': 'added to cart',
  'event.purchase': 'purchase',
  'event.push_click': 'push clicked',
  'event.push_sent': 'push sent',
  'event.push_failed': 'push failed',
  'event.push_skipped': 'push skipped',
  'event.lead_created': 'CRM lead',
  'event.lead_updated': 'CRM lead updated',
  'event.lead_merged': 'CRM leads merged',
  'event.lead_deleted': 'CRM lead deleted',
  'event.deal_won': 'deal won',
  'event.deal_lost': 'deal lost',
  'event.attribute_changed': 'attribute changed',
  'event.tag_added': 'tag added',
  'event.tag_removed': 'tag removed',
  'event.score_crossed': 'score threshold',
  'event.lifecycle_changed': 'lifecycle changed',
  'event.profile_merged': 'profiles merged',
  'event.profile_unmerged': 'profiles unmerged',

  'attribute.name': 'name',
  'attribute.gender': 'gender',
  'attribute.ageBand': 'age',
  'attribute.age': 'age',
  'attribute.birthday': 'birthday',
  'attribute.city': 'city',
  'attribute.province': 'province',
  'attribute.country': 'country',
  'attribute.language': 'language',
  'attribute.company': 'company',
  'attribute.title': 'job title',

  'identity.phone': 'phone',
  'identity.email': 'email',
  'identity.openid': 'openid',
  'identity.unionid': 'unionid',
  'identity.crm_id': 'CRM id',

  'property.subtype': 'kind',
  'property.topic': 'topic',
  'property.articleId': 'article',
  'property.scene': 'scene',
  'property.key': 'key',
  'property.currency': 'currency',
  'property.to': 'to',
  'property.tag': 'tag',
  'property.stage': 'stage',
  'property.via': 'via',
  'property.reason': 'reason',
  'property.pushId': 'push',
  'property.code': 'code',

  'gender.female': 'female',
  'gender.male': 'male',

  'channel.wechat': 'WeChat',
  'channel.website': 'website',
  'channel.crm': 'CRM',
  'channel.offline-store': 'store',
  'channel.sms': 'SMS',
  'channel.email': 'email',

  'scoreGroup.engagement': 'engagement',
  'scoreGroup.intent': 'intent',

  /** Amounts are stored in fen (cents); shown in yuan. */
  money: '{yuan, number, ::currency/CNY unit-width-narrow}',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'event.subscribe': '关注',
  'event.unsubscribe': '取消关注',
  'event.message': '发消息',
  'event.qr_scan': '扫码',
  'event.menu_click': '点击菜单',
  'event.menu_view': '打开菜单链接',
  'event.location_report': '上报位置',
  'event.wechat_event': '微信事件',
  'event.page_view': '浏览网页',
  'event.article_view': '阅读文章',
  'event.article_favorite': '收藏文章',
  'event.article_share': '分享文章',
  'event.search': '搜索',
  'event.form_submit': '提交表单',
  'event.add_to_cart': '加入购物车',
  'event.purchase': '购买',
  'event.push_click': '点击推送',
  'event.push_sent': '收到推送',
  'event.push_failed': '推送失败',
  'event.push_skipped': '推送跳过',
  'event.lead_created': 'CRM 线索',
  'event.lead_updated': 'CRM 线索更新',
  'event.lead_merged': 'CRM 线索合并',
  'event.lead_deleted': 'CRM 线索删除',
  'event.deal_won': '成交',
  'event.deal_lost': '丢单',
  'event.attribute_changed': '资料变化',
  'event.tag_added': '加标签',
  'event.tag_removed': '去标签',
  'event.score_crossed': '评分越线',
  'event.lifecycle_changed': '生命周期变化',
  'event.profile_merged': '画像合并',
  'event.profile_unmerged': '画像拆分',

  'attribute.name': '姓名',
  'attribute.gender': '性别',
  'attribute.ageBand': '年龄段',
  'attribute.age': '年龄',
  'attribute.birthday': '生日',
  'attribute.city': '城市',
  'attribute.province': '省份',
  'attribute.country': '国家',
  'attribute.language': '语言',
  'attribute.company': '公司',
  'attribute.title': '职位',

  'identity.phone': '手机',
  'identity.email': '邮箱',
  'identity.openid': 'openid',
  'identity.unionid': 'unionid',
  'identity.crm_id': 'CRM 编号',

  'property.subtype': '类型',
  'property.topic': '主题',
  'property.articleId': '文章',
  'property.scene': '场景',
  'property.key': '菜单',
  'property.currency': '币种',
  'property.to': '变为',
  'property.tag': '标签',
  'property.stage': '阶段',
  'property.via': '来源',
  'property.reason': '原因',
  'property.pushId': '推送',
  'property.code': '错误码',

  'gender.female': '女',
  'gender.male': '男',

  'channel.wechat': '微信',
  'channel.website': '网站',
  'channel.crm': 'CRM',
  'channel.offline-store': '门店',
  'channel.sms': '短信',
  'channel.email': '邮件',

  'scoreGroup.engagement': '互动',
  'scoreGroup.intent': '意向',

  money: '{yuan, number, ::currency/CNY unit-width-narrow}',
};

export const vocabularyMessages = defineCatalogue('vocabulary', en, zhCN);

export type VocabularyKind = 'event' | 'attribute' | 'identity' | 'property' | 'gender' | 'scoreGroup' | 'channel';

/** `code` of `kind` as operators read it in `locale` (`purchase` → 购买), or the code when it has no name. */
export function vocabularyName(kind: VocabularyKind, code: string, locale: Locale): string {
  const key = `${kind}.${code}`;
  return hasKey(vocabularyMessages, key) ? renderMessage(vocabularyMessages, locale, key) : code;
}

/** `code` of `kind` as a text rendered in its reader's language (the code itself when it has no name). */
export function vocabularyText(kind: VocabularyKind, code: string): LocalizedText | string {
  const key = `${kind}.${code}`;
  return hasKey(vocabularyMessages, key) ? new LocalizedText(vocabularyMessages, key) : code;
}

/** An amount in fen as yuan: ¥128.00. */
export function formatMoney(fen: number, locale: Locale): string {
  return renderMessage(vocabularyMessages, locale, 'money', { yuan: fen / 100 });
}

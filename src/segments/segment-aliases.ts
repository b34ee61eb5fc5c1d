import type { IdentityType } from '../profiles/identity';
import { identityTypes } from '../profiles/identity';
import type { LifecycleStage } from './segment-ast';

/** The language's keywords, case-insensitive, with the Chinese operators type. */
export const keywords: Record<string, 'AND' | 'OR' | 'NOT' | 'IN'> = {
  and: 'AND',
  or: 'OR',
  not: 'NOT',
  in: 'IN',
  且: 'AND',
  或: 'OR',
  非: 'NOT',
  在: 'IN',
};

/** Lifecycle stages as operators say them in Chinese. */
export const stageAliases: Record<string, LifecycleStage> = {
  潜在: 'potential',
  新: 'new',
  新用户: 'new',
  活跃: 'active',
  沉睡: 'dormant',
  流失: 'churned',
};

/** Identity types as written after `has:`. */
export const identityWords: Record<string, IdentityType> = {
  ...Object.fromEntries(identityTypes.map((type) => [type, type])),
  crmid: 'crm_id',
  crm: 'crm_id',
  anonymousid: 'anonymous_id',
  手机: 'phone',
  邮箱: 'email',
};

/**
 * Term words in Chinese (`标签:忠实用户` is `tag:忠实用户`), read as their English twins. Printing gives the English
 * form, so a saved segment reads the same whichever language it was typed in.
 */
export const termAliases: Record<string, string> = {
  标签: 'tag',
  人群: 'segment',
  生命周期: 'lifecycle',
  阶段: 'lifecycle',
  分数: 'score',
  评分: 'score',
  关注: 'subscribed',
  已关注: 'subscribed',
  有: 'has',
  事件: 'event',
  行为: 'event',
  最近活跃: 'last_seen',
  城市: 'city',
  省份: 'province',
  国家: 'country',
  性别: 'gender',
  语言: 'language',
  年龄: 'age',
  年龄段: 'ageBand',
  公司: 'company',
  职位: 'title',
  来源: 'source',
  渠道: 'channel',
};

import { defineCatalogue, texts } from '../i18n/message-catalog';

/**
 * What the rules room says when it refuses something, in English (the API's language, byte for byte what it always
 * said) and Chinese (what an operator reads in chat). The problems a refusal lists in its details stay as they are.
 */
const en = {
  'tag.computed': "tag: {category} tags are computed by rules; an operator can't set one",
  'tag.keptByRule': 'tag: {tag} is kept by a rule ({when}); change the rule instead',
  'tag.expiryPast': 'expiresAt: expected a time in the future',
  'tag.removeRuleTag': '{tag} is kept by a rule; it goes when the rule stops holding (change the rule to take it away)',
  'tags.oneExclusive': 'tags: at most one tag of an exclusive category ({categories}) at a time',
  'rules.invalid': 'the rules document is not valid',
  'rules.overCeiling': 'the rules document holds more rules than this server allows; nothing was changed',
  'rules.applying': 'rules are being applied already: wait for that backfill to finish',
  'rules.databaseRefuses': 'the database refuses some of these rules; nothing was changed',
  'rules.notApplied':
    'the rules were not applied: applying them failed part-way and what it had written was undone; the rules in force, the ledger, the scores and the tags are as they were (the log has the cause)',
  'rules.applyIncomplete':
    'applying the rules failed part-way and undoing it failed too: the {inForce, select, new {new} other {previous}} rules are in force, and the ledger and the tags may be part-way; apply the rules in force again to rebuild them (the log has the cause)',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'tag.computed': 'tag：{category} 类标签由规则计算，运营人员不能手动设置',
  'tag.keptByRule': 'tag：标签 {tag} 由规则维护（{when}）；请修改规则',
  'tag.expiryPast': 'expiresAt：到期时间必须晚于现在',
  'tag.removeRuleTag': '标签 {tag} 由规则维护，规则不再成立时会自动去掉（要去掉它，请修改规则）',
  'tags.oneExclusive': 'tags：互斥类别（{categoriesZh}）的标签同一时间只能有一个',
  'rules.invalid': '规则文档无效',
  'rules.overCeiling': '规则文档中的规则数超出了本服务器的上限，未做任何更改',
  'rules.applying': '规则正在应用中：请等这次回填完成',
  'rules.databaseRefuses': '数据库无法执行其中一些规则，未做任何更改',
  'rules.notApplied':
    '规则没有应用：应用到一半失败，已写入的内容已撤销；生效的规则、积分账本、分数和标签都和之前一样（原因见日志）',
  'rules.applyIncomplete':
    '应用规则到一半失败，撤销也失败了：现在生效的是{inForce, select, new {新的} other {之前的}}规则，积分账本和标签可能只更新了一部分；请再次应用当前生效的规则来重建它们（原因见日志）',
};

export const rulesMessages = defineCatalogue('rules', en, zhCN);
export const rulesText = texts(rulesMessages);

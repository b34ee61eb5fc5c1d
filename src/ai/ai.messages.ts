import { defineCatalogue, texts } from '../i18n/message-catalog';

/**
 * What the AI room says when the model could not help, in English (the API's and the audit's language, byte for byte
 * what it always said) and Chinese (what an operator reads in chat). `{detail}` and `{issue}` are messages of this
 * catalogue too, rendered in the same language.
 */
const en = {
  'ai.failed': 'AI {label}: {detail}',
  'ai.noKey': 'no OPENAI_API_KEY is set',
  'ai.declined': 'the model declined: {refusal}',
  'ai.serviceAnswered': 'the model service answered {status}',
  'ai.unreachable': 'the model service could not be reached',
  'ai.emptyAnswer': 'the answer was empty',
  'ai.notJson': 'the answer was not JSON',
  'ai.quota': '{count} questions a day',
  'answer.issue': '{message}',
  'answer.unknownName': '{value} is not a known {kind, select, tag {tag} attribute {attribute} other {event type}}',
  'answer.top': 'the top',
  'condition.invalid': 'the condition is not valid at {path}: {issue}',
  'condition.tooLarge': 'the condition has more than {max} parts',
  'drafts.invalid': 'the drafts are not valid: {issue}',
  'drafts.variantCount': 'expected {count} variants',
  'classification.invalid': 'the classification is not valid: {issue}',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'ai.failed':
    '{failure, select, off {AI 未开启} unavailable {AI 暂时不可用} invalid_answer {AI 的回答无法使用} quota {AI 提问次数已用完} other {AI 出错}}：{detail}',
  'ai.noKey': '未设置 OPENAI_API_KEY',
  'ai.declined': '模型拒绝回答：{refusal}',
  'ai.serviceAnswered': '模型服务返回了错误 {status}',
  'ai.unreachable': '无法连接模型服务',
  'ai.emptyAnswer': '回答是空的',
  'ai.notJson': '回答不是 JSON',
  'ai.quota': '每人每天最多提问 {count} 次',
  'answer.issue':
    '{code, select, too_big {超出了允许的上限} too_small {低于允许的下限} invalid_type {类型不对} invalid_value {不是允许的取值} invalid_union {不符合任何一种允许的形式} unrecognized_keys {含有不允许的字段} other {不符合要求}}',
  'answer.unknownName': '{value} 不是已知的{kind, select, tag {标签} attribute {属性} other {事件类型}}',
  'answer.top': '最外层',
  'condition.invalid': '条件在 {path} 处无效：{issue}',
  'condition.tooLarge': '条件超过了 {max} 个部分',
  'drafts.invalid': '文案草稿不符合要求：{issue}',
  'drafts.variantCount': '应当正好有 {count} 个版本',
  'classification.invalid': '分类结果不符合要求：{issue}',
};

export const aiMessages = defineCatalogue('ai', en, zhCN);
export const aiText = texts(aiMessages);

import { defineCatalogue, texts } from './message-catalog';

/**
 * Why a field of a request or a command can't be used, by the kind of problem (zod's issue codes). English says what
 * the schema says (`detail`, as the API always answered); Chinese says the kind of problem in its own words.
 */
const en = {
  'validation.tooLong': '{field}: {detail}',
  'validation.tooShort': '{field}: {detail}',
  'validation.tooLarge': '{field}: {detail}',
  'validation.tooSmall': '{field}: {detail}',
  'validation.wrongType': '{field}: {detail}',
  'validation.notOneOf': '{field}: {detail}',
  'validation.badFormat': '{field}: {detail}',
  'validation.unknownKey': '{field}: {detail}',
  'validation.other': '{field}: {detail}',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'validation.tooLong': '{field}：太长了，最多 {limit, number} 个字符',
  'validation.tooShort': '{field}：太短了，至少 {limit, number} 个字符',
  'validation.tooLarge': '{field}：太大了，最大 {limit, number}',
  'validation.tooSmall': '{field}：太小了，最小 {limit, number}',
  'validation.wrongType': '{field}：类型不对',
  'validation.notOneOf': '{field}：只能是 {values} 之一',
  'validation.badFormat': '{field}：格式不对',
  'validation.unknownKey': '{field}：不认识这个字段',
  'validation.other': '{field}：这个值不能用',
};

export const validationMessages = defineCatalogue('validation', en, zhCN);
export const validationText = texts(validationMessages);

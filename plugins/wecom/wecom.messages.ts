import { defineCatalogue, type Locale, sayer } from '../../src/plugins/plugin-sdk';

/** What the WeCom plugin itself shows operators: a card's buttons and what they turn into once pressed. */
const en = {
  'button.send': 'Send',
  'button.confirm': 'Confirm',
  'button.cancel': 'Cancel',
  'pressed.confirmed': 'Confirmed',
  'pressed.cancelled': 'Cancelled',
  'pressed.notDone': 'Not done: see the reply',
  'card.source': 'Persona',
} as const;

type WecomMessageKey = keyof typeof en;

const zhCN: Readonly<Record<WecomMessageKey, string>> = {
  'button.send': '确认发送',
  'button.confirm': '确认',
  'button.cancel': '取消',
  'pressed.confirmed': '已确认',
  'pressed.cancelled': '已取消',
  'pressed.notDone': '未完成，请看回复',
  'card.source': 'Persona 营销助手',
};

export const wecomMessages = defineCatalogue<WecomMessageKey>('wecom', en, zhCN);

export function wecomSay(locale: Locale) {
  return sayer(wecomMessages, locale);
}

import { randomBytes } from 'node:crypto';
import { type AttributeValue, cdata, ownValue } from '../../src/plugins/plugin-sdk';
import type { Reply, WechatAccount } from './wechat-config.schema';
import type { NormalizedMessage } from './wechat-message-normalizer';
import { scenePattern } from './scene-channel';

/** Picks the configured reply: scene welcome, then welcome on a follow; keywords, then the default for messages. */
export class ReplyChooser {
  private readonly sceneWelcomes: { pattern: RegExp; reply: Reply }[];

  constructor(private readonly replies: WechatAccount['replies']) {
    this.sceneWelcomes = replies.welcomeByScene.map((rule) => ({
      pattern: scenePattern(rule.scene),
      reply: rule.reply,
    }));
  }

  choose(message: NormalizedMessage): Reply | undefined {
    if (message.followed) {
      const byScene = message.scene
        ? this.sceneWelcomes.find((rule) => rule.pattern.test(message.scene as string))
        : undefined;
      return byScene?.reply ?? this.replies.welcome;
    }
    if (!message.isMessage) return undefined;
    if (message.text !== undefined) {
      const text = message.text.trim();
      const hit = this.replies.keywords.find((rule) =>
        rule.match === 'exact' ? text === rule.keyword : text.includes(rule.keyword),
      );
      if (hit) return hit.reply;
    }
    return this.replies.default;
  }
}

/** The reply document, addressed back to the follower (`to`) from the account (`from`). */
export function renderReply(reply: Reply, to: string, from: string, now: number): string {
  const head = `<ToUserName>${cdata(to)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${Math.floor(now / 1000)}</CreateTime><MsgType>${cdata(reply.type)}</MsgType>`;
  switch (reply.type) {
    case 'text':
      return `<xml>${head}<Content>${cdata(reply.content)}</Content></xml>`;
    case 'image':
      return `<xml>${head}<Image><MediaId>${cdata(reply.mediaId)}</MediaId></Image></xml>`;
    case 'news': {
      const items = reply.articles
        .map(
          (article) =>
            `<item><Title>${cdata(article.title)}</Title><Description>${cdata(article.description ?? '')}</Description>` +
            `<PicUrl>${cdata(article.picUrl ?? '')}</PicUrl><Url>${cdata(article.url ?? '')}</Url></item>`,
        )
        .join('');
      return `<xml>${head}<ArticleCount>${reply.articles.length}</ArticleCount><Articles>${items}</Articles></xml>`;
    }
    case 'transfer_customer_service':
      return `<xml>${head}</xml>`;
  }
}

/** A fresh nonce for an encrypted reply envelope. */
export function replyNonce(): string {
  return randomBytes(8).toString('hex');
}

const placeholder = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*(?:\|([^}]*))?\}\}/g;

/** True when the reply's text refers to the follower's attributes (`{{name}}`, `{{city|上海}}`). */
export function isPersonalized(reply: Reply): boolean {
  placeholder.lastIndex = 0;
  return placeholder.test(JSON.stringify(reply));
}

/** Fills `{{attribute}}` and `{{attribute|fallback}}` from the follower's attributes; unknown ones take the fallback or nothing. */
export function personalize(reply: Reply, attributes: Readonly<Record<string, AttributeValue>>): Reply {
  const fill = (text: string) =>
    text.replace(placeholder, (_, name: string, fallback: string | undefined) => {
      const value = ownValue(attributes, name);
      return value === undefined ? (fallback ?? '') : String(value);
    });
  switch (reply.type) {
    case 'text':
      return { ...reply, content: fill(reply.content) };
    case 'news':
      return {
        ...reply,
        articles: reply.articles.map((article) => ({
          ...article,
          title: fill(article.title),
          ...(article.description !== undefined ? { description: fill(article.description) } : {}),
        })),
      };
    default:
      return reply;
  }
}

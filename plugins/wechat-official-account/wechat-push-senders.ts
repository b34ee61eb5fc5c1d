import type { Clock, PushContent, PushMessage, PushSender, PushSendOutcome } from '../../src/plugins/plugin-sdk';
import type { WechatApiClient } from './wechat-api-client';
import { WechatApiError } from './wechat.errors';

/** Waits WeChat's answers imply before the engine tries again, in milliseconds. */
const quotaWaitMs: Record<number, number> = {
  45028: 60 * 60_000, // no mass-send quota left
  45066: 60_000, // a mass send retried too fast
};

/** Until WeChat's daily API quotas reset: midnight, Beijing time (UTC+8, no daylight saving). */
export function untilQuotaReset(now: number): number {
  const beijingDay = 86_400_000;
  const offset = 8 * 3_600_000;
  return beijingDay - ((now + offset) % beijingDay);
}

/** The customer-service form of a message. */
export function customMessage(message: PushMessage): { msgtype: string; [key: string]: unknown } {
  switch (message.type) {
    case 'text':
      return { msgtype: 'text', text: { content: message.text } };
    case 'image':
      return { msgtype: 'image', image: { media_id: message.mediaId } };
    case 'news':
      return { msgtype: 'mpnews', mpnews: { media_id: message.mediaId } };
    case 'miniprogram':
      return {
        msgtype: 'miniprogrampage',
        miniprogrampage: {
          title: message.title,
          appid: message.appId,
          pagepath: message.pagePath,
          thumb_media_id: message.thumbMediaId,
        },
      };
  }
}

/** The mass-send form (a mini-program card can't be mass-sent; the policy never picks mass for one). */
export function massMessage(message: PushMessage): { msgtype: string; [key: string]: unknown } {
  if (message.type === 'news')
    return { msgtype: 'mpnews', mpnews: { media_id: message.mediaId }, send_ignore_reprint: 0 };
  if (message.type === 'miniprogram') throw new Error('a mini-program card cannot be mass-sent');
  return customMessage(message);
}

/** What a failed call means for the recipients: permanent failures fail them, everything else waits and retries. */
export function outcomeOf(error: unknown, now: number): PushSendOutcome {
  if (!(error instanceof WechatApiError)) return { status: 'retry', code: 'network' };
  if (error.outcomeUnknown) return { status: 'unconfirmed', code: 'no_answer' };
  const code = String(error.errcode);
  // No token (a wrong secret, a server IP not on the account's allowlist): the account's problem, not the
  // recipient's. Their sends wait while an operator fixes it.
  if (error.path === 'stable_token' || error.path === 'token')
    return { status: 'retry', code, retryAfterMs: 10 * 60_000 };
  if (error.errcode === 45009) return { status: 'retry', code, retryAfterMs: untilQuotaReset(now) };
  const wait = quotaWaitMs[error.errcode];
  if (wait !== undefined) return { status: 'retry', code, retryAfterMs: wait };
  // -1 (busy, unreachable, 5xx after the client's own retries) and a token still refused after a refresh: try later.
  if (error.errcode === -1 || [40001, 40014, 42001].includes(error.errcode)) return { status: 'retry', code };
  return { status: 'failed', code };
}

/**
 * The three WeChat channels as push senders. Each dispatches on the push's account to that account's API client; an
 * account without API access (no appSecret) fails its recipients with `no_api_access`. `companions` are the accounts'
 * `massCompanion` openids.
 */
export function wechatPushSenders(
  clients: ReadonlyMap<string, WechatApiClient>,
  companions: ReadonlyMap<string, string>,
  clock: Clock,
): PushSender[] {
  const clientOf = (account: string) => clients.get(account);
  const noAccess: PushSendOutcome = { status: 'failed', code: 'no_api_access' };
  const guarded = async (work: () => Promise<PushSendOutcome>): Promise<PushSendOutcome> => {
    try {
      return await work();
    } catch (error) {
      return outcomeOf(error, clock().getTime());
    }
  };
  return [
    {
      channel: 'customer_service',
      batch: false,
      send: ({ account, content, recipients }) =>
        guarded(async () => {
          const client = clientOf(account);
          if (!client) return noAccess;
          await client.sendCustomMessage({ touser: recipients[0].openid, ...customMessage(content.message) });
          return { status: 'sent' };
        }),
    },
    {
      channel: 'mass',
      batch: true,
      send: ({ account, content, batchKey, recipients }) =>
        guarded(async () => {
          const client = clientOf(account);
          if (!client) return noAccess;
          const openids = recipients.map((recipient) => recipient.openid);
          // WeChat refuses a list of fewer than two openids: the account's companion (an operator) makes up the pair.
          const companion = companions.get(account);
          if (openids.length === 1 && companion && companion !== openids[0]) openids.push(companion);
          const sent = await client.massSend(openids, massMessage(content.message), batchKey);
          return { status: 'sent', externalId: String(sent.msgId) };
        }),
      preview: ({ account, content, to }) =>
        guarded(async () => {
          const client = clientOf(account);
          if (!client) return noAccess;
          await client.massPreview(
            'openid' in to ? { touser: to.openid } : { towxname: to.wechatId },
            massMessage(content.message),
          );
          return { status: 'sent' };
        }),
    },
    {
      channel: 'template',
      batch: false,
      send: ({ account, content, recipients }) =>
        guarded(async () => {
          const client = clientOf(account);
          if (!client) return noAccess;
          if (!content.template) return { status: 'failed', code: 'no_template' };
          const sent = await client.sendTemplateMessage(templateMessage(recipients[0].openid, content));
          return { status: 'sent', externalId: sent.msgid };
        }),
    },
  ];
}

function templateMessage(openid: string, content: PushContent) {
  const template = content.template as NonNullable<PushContent['template']>;
  return {
    touser: openid,
    template_id: template.templateId,
    ...(template.url ? { url: template.url } : {}),
    ...(template.miniprogram
      ? { miniprogram: { appid: template.miniprogram.appId, pagepath: template.miniprogram.pagePath } }
      : {}),
    data: template.data,
  };
}

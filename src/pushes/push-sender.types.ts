import type { PushContent } from './push-content';

/**
 * The port pushes go out through: a channel's sender and the accounts pushes are sent from. The pushes room owns it;
 * plugins (the WeChat official account) provide them through the plugin host.
 */

/** One recipient of a send: the delivery row it settles and the follower's openid in the push's account. */
export interface PushRecipient {
  deliveryId: number;
  profileId: number;
  openid: string;
}

/**
 * How a send went, for every recipient in it. `retry`: nothing was sent, try again later. `unconfirmed`: no answer
 * came, and it may have arrived: it is recorded as sent and not repeated.
 */
export type PushSendOutcome =
  | { status: 'sent'; externalId?: string }
  | { status: 'unconfirmed'; code: string }
  | { status: 'failed'; code: string }
  | { status: 'retry'; code: string; retryAfterMs?: number };

/**
 * Delivers pushes over one channel (`customer_service`, `mass` or `template`, the channels the contact policy picks).
 * A batch sender takes many recipients in one call and must treat `batchKey` as an idempotency key (WeChat's
 * clientmsgid): the same batch is sent again under the same key after a crash. Other senders get one recipient per
 * call, with the content already personalized.
 */
export interface PushSender {
  channel: string;
  batch: boolean;
  send(request: {
    account: string;
    pushId: number;
    batchKey: string;
    content: PushContent;
    recipients: PushRecipient[];
  }): Promise<PushSendOutcome>;
  /** Sends the content to one operator to look at before confirming (WeChat's mass preview), by openid or WeChat ID. */
  preview?(request: {
    account: string;
    content: PushContent;
    to: { openid: string } | { wechatId: string };
  }): Promise<PushSendOutcome>;
}

/**
 * An account pushes go out from (a WeChat official account), by the name pushes give as `account`. Its time zone
 * (default: the global `timezone`) places quiet hours, the calendar month of the mass quota and recurring schedules.
 */
export interface PushAccount {
  name: string;
  timezone?: string;
}

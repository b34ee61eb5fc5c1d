import type { PushContent } from '../pushes/push-content';

/**
 * What plugins contribute beyond routes, inbound events and jobs. The engines that use them (the push engine, the
 * operator bot, the rule engine) look them up by name in the host's registries.
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
  send(request: { account: string; pushId: number; batchKey: string; content: PushContent; recipients: PushRecipient[] }): Promise<PushSendOutcome>;
  /** Sends the content to one operator to look at before confirming (WeChat's mass preview), by openid or WeChat ID. */
  preview?(request: { account: string; content: PushContent; to: { openid: string } | { wechatId: string } }): Promise<PushSendOutcome>;
}

/**
 * An account pushes go out from (a WeChat official account), by the name pushes give as `account`. Its time zone
 * (default: the global `timezone`) places quiet hours, the calendar month of the mass quota and recurring schedules.
 */
export interface PushAccount {
  name: string;
  timezone?: string;
}

export type BotRole = 'viewer' | 'operator' | 'admin';
export type BotLocale = 'zh-CN' | 'en';

/** Text in each locale the bot speaks. */
export type BotText = Readonly<Record<BotLocale, string>>;

/** What a bot command is asked: by whom, with which arguments, and where. */
export interface BotRequest {
  operator: { contact: string; name: string; role: BotRole; locale: BotLocale };
  /** The arguments after the command's name, quotes removed (`"New York"` is one argument). */
  args: readonly string[];
  /** The text after the first `skip` arguments, as typed (an expression, a message). */
  rest(skip: number): string;
  /** The subcommand `args[0]` named, in its canonical name, when the command has subcommands. */
  subcommand?: string;
  locale: BotLocale;
  /** In a group chat (others read the answer). */
  inGroup: boolean;
}

/** A picture in an answer (a QR code): sent as an image where the chat can show one. */
export interface BotImage {
  url: string;
  /** A file name for it (`store-0217.jpg`). */
  name: string;
}

/**
 * A command's answer: its text, or the text with a picture, and `failed` (why, for the audit) when the command
 * could not do what was asked although nothing went wrong on Persona's side (the model's answer was unusable).
 */
export type BotAnswer = string | { text: string; image?: BotImage; failed?: string };

/** A subcommand (`segment count`), with its own lowest role. */
export interface BotSubcommand {
  name: string;
  aliases?: readonly string[];
  role: BotRole;
  usage: string;
  summary: BotText;
}

/**
 * An operator bot command (`/qrcode store-01`). Names are English; aliases (Chinese) work the same. Its answer is
 * text in the request's locale; the engine splits long answers and audits every run.
 */
export interface BotCommand {
  name: string;
  aliases?: readonly string[];
  /** Lowest operator role allowed to run it (or any of its subcommands). Admin commands are refused in groups. */
  role: BotRole;
  usage: string;
  summary: BotText;
  subcommands?: readonly BotSubcommand[];
  /** The subcommand a bare `/<name>` runs; without one, a bare name answers with the subcommands. */
  defaultSubcommand?: string;
  run(request: BotRequest): Promise<BotAnswer>;
}

/** Event types and properties a source adds to what rules and segments may refer to. */
export interface RuleVocabulary {
  name: string;
  eventTypes: { type: string; properties?: string[] }[];
}

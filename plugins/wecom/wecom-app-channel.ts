import { randomBytes } from 'node:crypto';
import type {
  BotConfirmation,
  BotLocale,
  BotRole,
  ChannelStatus,
  ChatAnswer,
  ChatChannel,
  Clock,
  PluginContext,
} from '../../src/plugins/plugin-sdk';
import { monotonicMs, SlidingWindowLimiter } from '../../src/plugins/plugin-sdk';
import type { WecomApiClient } from './wecom-api-client';
import type { WecomConfig } from './wecom-config.schema';
import { WecomApiError } from './wecom.errors';
import { wecomSay } from './wecom.messages';
import { utf8Chunks } from './utf8-chunks';

/** WeCom takes a text message of up to 2,048 bytes. */
const textLimitBytes = 2048;
const hourMs = 3_600_000;

/** An operator's contact in `bot.operators`: `wecom:<userid>`. */
export const contactPrefix = 'wecom:';

/** What a card's button does, carried in its key and read back from the callback's EventKey. */
export type ButtonAction =
  { kind: 'confirm'; code: string } | { kind: 'cancel-push'; pushId: number } | { kind: 'withdraw'; code: string };

export function buttonKey(action: ButtonAction): string {
  switch (action.kind) {
    case 'confirm':
      return `confirm:${action.code}`;
    case 'cancel-push':
      return `cancel:${action.pushId}`;
    case 'withdraw':
      return `withdraw:${action.code}`;
  }
}

/** The button a key names (undefined for a key Persona never made). */
export function buttonAction(key: string): ButtonAction | undefined {
  const match = /^(confirm|withdraw|cancel):(\d{1,9})$/.exec(key);
  if (!match) return undefined;
  if (match[1] === 'cancel') return { kind: 'cancel-push', pushId: Number(match[2]) };
  if (!/^\d{6}$/.test(match[2])) return undefined;
  return { kind: match[1] as 'confirm' | 'withdraw', code: match[2] };
}

/** The command a pressed button runs, as the operator would have typed it. */
export function commandFor(action: ButtonAction): string {
  switch (action.kind) {
    case 'confirm':
      return `/confirm ${action.code}`;
    case 'cancel-push':
      return `/cancel #${action.pushId}`;
    case 'withdraw':
      return `/cancel code ${action.code}`;
  }
}

/**
 * A self-built app as the bot's chat: answers go to the member by the send API — text cut under 2,048 bytes at line
 * breaks, pictures uploaded as temporary media, and a confirmation as a card with buttons (for an operator who may
 * confirm; a viewer gets the text alone). Messages to one member are paced under WeCom's 30 a minute and 1,000 an hour
 * (beyond them WeCom drops messages without a word), so a reply waits rather than vanishes; a reply that fails anyway
 * is logged as an error and shown in the channel's status.
 */
export class WecomAppChannel implements ChatChannel {
  readonly name: string;
  private readonly minute = new Map<string, SlidingWindowLimiter>();
  private readonly hour = new Map<string, SlidingWindowLimiter>();
  private current: ChannelStatus;
  private sent = 0;
  private failed = 0;

  constructor(
    appName: string,
    private readonly client: WecomApiClient,
    private readonly limits: WecomConfig['api'],
    private readonly context: Pick<PluginContext, 'log' | 'clock' | 'bot'>,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.name = `wecom:${appName}`;
    this.current = { name: this.name, kind: 'wecom-app', state: 'ready', since: now(context.clock), lastError: null };
  }

  reaches(contact: string): boolean {
    return contact.startsWith(contactPrefix);
  }

  async sendTo(contact: string, answer: ChatAnswer): Promise<boolean> {
    const operator = this.context.bot.operator(contact);
    if (!operator) return false;
    try {
      await this.deliver(contact.slice(contactPrefix.length), operator, answer);
      return true;
    } catch {
      return false;
    }
  }

  status(): ChannelStatus {
    return { ...this.current, detail: { sent: this.sent, failed: this.failed } };
  }

  /**
   * Sends an answer to a member: its texts, its pictures, then the confirmation card. Throws (after recording it) when
   * WeCom refuses or can't be reached; what went out before stays sent.
   */
  async deliver(userid: string, operator: { role: BotRole; locale: BotLocale }, answer: ChatAnswer): Promise<void> {
    try {
      for (const reply of answer.replies)
        for (const content of utf8Chunks(reply, textLimitBytes))
          await this.send({ touser: userid, msgtype: 'text', text: { content } });
      for (const image of answer.images) {
        if (!image.png) {
          // A picture Persona didn't draw (a QR code's link): its address, which WeCom shows as a link.
          await this.send({ touser: userid, msgtype: 'text', text: { content: image.url } });
          continue;
        }
        const mediaId = await this.client.uploadImage(image.png, image.name);
        await this.send({ touser: userid, msgtype: 'image', image: { media_id: mediaId } });
      }
      // Only someone who may confirm gets buttons (the command checks the role again when one is pressed).
      if (answer.confirmation && operator.role !== 'viewer')
        await this.send({
          touser: userid,
          msgtype: 'template_card',
          template_card: confirmationCard(answer.confirmation, operator.locale),
        });
      this.set('ready', null);
    } catch (error) {
      this.failed += 1;
      const hint = error instanceof WecomApiError ? error.hint : undefined;
      const message = `${(error as Error).message}${hint ? ` (${hint})` : ''}`;
      this.set('failing', message);
      this.context.log.error({ err: error, channel: this.name, hint }, 'wecom: a reply could not be sent');
      throw error;
    }
  }

  /** Turns a pressed card's buttons into one saying what came of it. */
  async settleCard(userid: string, responseCode: string, label: string): Promise<void> {
    try {
      await this.client.replaceCardButtons(userid, responseCode, label);
    } catch (error) {
      this.context.log.warn({ err: error, channel: this.name }, 'wecom: a pressed card could not be updated');
    }
  }

  /** One message, once the member's minute and hour allow it. */
  private async send(message: { touser: string; msgtype: string; [key: string]: unknown }): Promise<void> {
    const member = message.touser;
    const limiter = (map: Map<string, SlidingWindowLimiter>, limit: number, windowMs: number) => {
      let found = map.get(member);
      if (!found) {
        found = new SlidingWindowLimiter(limit, monotonicMs, this.sleep, windowMs);
        map.set(member, found);
      }
      return found;
    };
    await limiter(this.hour, this.limits.perMemberPerHour, hourMs).acquire();
    await limiter(this.minute, this.limits.perMemberPerMinute, 60_000).acquire();
    await this.client.sendMessage(message);
    this.sent += 1;
  }

  private set(state: ChannelStatus['state'], lastError: string | null): void {
    if (state !== this.current.state) this.current = { ...this.current, state, since: now(this.context.clock) };
    this.current = { ...this.current, lastError: lastError ?? (state === 'ready' ? null : this.current.lastError) };
  }
}

function now(clock: Clock): string {
  return clock().toISOString();
}

/** A button-interaction card: the plan's title and line, and 确认发送 / 取消 (keys carry what they do). */
export function confirmationCard(confirmation: BotConfirmation, locale: BotLocale): object {
  const say = wecomSay(locale);
  const push = 'pushId' in confirmation.target ? confirmation.target.pushId : undefined;
  const cancel: ButtonAction =
    push === undefined ? { kind: 'withdraw', code: confirmation.code } : { kind: 'cancel-push', pushId: push };
  return {
    card_type: 'button_interaction',
    source: { desc: say('card.source') },
    main_title: { title: confirmation.title.slice(0, 36) },
    sub_title_text: confirmation.summary.slice(0, 160),
    // Unique within the app, as WeCom requires; a press is answered once per card (the callback's TaskId).
    task_id: `persona-${randomBytes(12).toString('hex')}`,
    button_list: [
      {
        text: say(push === undefined ? 'button.confirm' : 'button.send'),
        style: 1,
        key: buttonKey({ kind: 'confirm', code: confirmation.code }),
      },
      { text: say('button.cancel'), style: 2, key: buttonKey(cancel) },
    ],
  };
}

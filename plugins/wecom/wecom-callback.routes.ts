import {
  type AppContext,
  assertNoDeclarations,
  extractEncrypt,
  MsgCrypt,
  MsgCryptError,
  parseWechatXml,
  type PluginContext,
  readRawBody,
  signaturesMatch,
  UnauthorizedError,
  ValidationError,
  wechatSignature,
  WrongReceiverError,
} from '../../src/plugins/plugin-sdk';
import { buttonAction, commandFor, contactPrefix, type WecomAppChannel } from './wecom-app-channel';
import type { WecomApp, WecomConfig } from './wecom-config.schema';
import { wecomSay } from './wecom.messages';

function queryText(ctx: AppContext, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value.length <= 512 ? value : undefined;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * A self-built app's callback (`/wecom/<app>`). GET verifies the URL: msg_signature over the encrypted echostr, which
 * is decrypted and answered in plain (unlike the official account's). POST carries a member's message or event: the
 * query's msg_signature and timestamp are checked before the body is read, the ciphertext's signature before anything
 * parses it, the decrypted receiver id must be this corpId, and documents with declarations are refused. The message is
 * recorded in the bot's audit (which refuses a redelivery by its id), then acknowledged with an empty 200 well within
 * WeCom's 5 seconds; the command runs and is answered through the send API afterwards.
 */
export class WecomCallback {
  private readonly token: string;
  private readonly crypto: MsgCrypt;
  /** Answers still being worked on, so a stop lets them finish. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly app: WecomApp,
    private readonly config: WecomConfig,
    private readonly channel: WecomAppChannel,
    private readonly context: Pick<PluginContext, 'log' | 'clock' | 'bot'>,
  ) {
    this.token = app.token.reveal();
    this.crypto = new MsgCrypt(app.encodingAESKey.reveal(), app.corpId);
  }

  /** GET: WeCom checks the URL when the callback is saved. */
  verifyUrl = async (ctx: AppContext): Promise<void> => {
    const echo = queryText(ctx, 'echostr');
    if (echo === undefined) throw new ValidationError('missing echostr');
    const { timestamp, nonce, signature } = this.checkedQuery(ctx);
    if (!signaturesMatch(wechatSignature(this.token, timestamp, nonce, echo), signature))
      throw new UnauthorizedError('msg_signature does not match');
    ctx.type = 'text/plain';
    ctx.body = this.decrypt(echo);
  };

  /** POST: a member's message or event. */
  receive = async (ctx: AppContext): Promise<void> => {
    const { timestamp, nonce, signature } = this.checkedQuery(ctx);
    const body = (await readRawBody(ctx, this.config.bodyLimitKb * 1024)).toString('utf8');
    assertNoDeclarations(body);
    const encrypt = extractEncrypt(body);
    if (!encrypt) throw new ValidationError('a WeCom callback without an <Encrypt> element');
    if (!signaturesMatch(wechatSignature(this.token, timestamp, nonce, encrypt), signature))
      throw new UnauthorizedError('msg_signature does not match');
    const xml = this.decrypt(encrypt);
    assertNoDeclarations(xml);
    const fields = parseWechatXml(xml);
    if (text(fields.ToUserName) !== this.app.corpId) throw new UnauthorizedError('the message is for another corpId');
    const agentId = text(fields.AgentID);
    if (agentId !== undefined && agentId !== String(this.app.agentId))
      throw new UnauthorizedError('the message is for another app (AgentID)');
    await this.dispatch(fields);
    ctx.status = 200;
    ctx.body = '';
  };

  /** Waits for the answers being worked on (at stop). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** Text and card presses go to the bot; other events (entering the app, location) are only acknowledged. */
  private async dispatch(fields: Record<string, unknown>): Promise<void> {
    const from = text(fields.FromUserName);
    if (!from || from.length > 64) throw new ValidationError('a WeCom callback without a valid FromUserName');
    const contact = `${contactPrefix}${from}`;
    const app = this.app.name;
    if (text(fields.MsgType) === 'text') {
      const msgId = text(fields.MsgId);
      const content = text(fields.Content) ?? '';
      const messageId = msgId ? `${app}:${msgId}` : `${app}:${from}:${text(fields.CreateTime) ?? ''}`;
      const received = await this.context.bot.receive({
        transport: 'wecom',
        sender: { id: contact },
        text: content,
        messageId,
      });
      if (received) this.later(from, contact, () => received.answer());
      return;
    }
    if (text(fields.MsgType) === 'event' && text(fields.Event) === 'template_card_event') {
      const action = buttonAction(text(fields.EventKey) ?? '');
      const taskId = text(fields.TaskId);
      if (!action || !taskId) return;
      // A card is answered once, whichever of its buttons is pressed and however often WeCom delivers the press.
      const received = await this.context.bot.receive({
        transport: 'wecom',
        sender: { id: contact },
        text: commandFor(action),
        messageId: `${app}:card:${taskId}`.slice(0, 128),
      });
      if (!received) return;
      const responseCode = text(fields.ResponseCode);
      this.later(from, contact, async () => {
        const answer = await received.answer();
        const operator = this.context.bot.operator(contact);
        if (responseCode && operator) {
          const say = wecomSay(operator.locale);
          const label =
            answer.outcome !== 'ok'
              ? say('pressed.notDone')
              : action.kind === 'confirm'
                ? say('pressed.confirmed')
                : say('pressed.cancelled');
          await this.channel.settleCard(from, responseCode, label);
        }
        return answer;
      });
    }
  }

  /** Runs and sends the answer after the acknowledgement, keeping track of it until it is done. */
  private later(
    userid: string,
    contact: string,
    answer: () => Promise<Parameters<WecomAppChannel['deliver']>[2]>,
  ): void {
    const work = (async () => {
      const reply = await answer();
      if (reply.replies.length === 0 && reply.images.length === 0) return;
      // A stranger has no role or language of their own: the bot's refusal goes as it is, without buttons.
      const operator = this.context.bot.operator(contact) ?? { role: 'viewer' as const, locale: 'zh-CN' as const };
      await this.channel.deliver(userid, operator, reply);
    })()
      .catch((error: unknown) => this.context.log.error({ err: error }, 'wecom: answering a message failed'))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** The query's signature, timestamp (within the replay window) and nonce; nothing has been read yet. */
  private checkedQuery(ctx: AppContext): { timestamp: string; nonce: string; signature: string } {
    const signature = queryText(ctx, 'msg_signature');
    const timestamp = queryText(ctx, 'timestamp');
    const nonce = queryText(ctx, 'nonce');
    if (!signature || !timestamp || !nonce) throw new UnauthorizedError('missing msg_signature, timestamp or nonce');
    const window = this.config.replayWindowSeconds;
    if (window > 0) {
      const skew = Math.abs(this.context.clock().getTime() / 1000 - Number(timestamp));
      if (!/^\d{1,12}$/.test(timestamp) || skew > window)
        throw new UnauthorizedError(`timestamp is more than ${window} seconds from now`);
    }
    return { timestamp, nonce, signature };
  }

  private decrypt(encrypted: string): string {
    try {
      return this.crypto.decrypt(encrypted);
    } catch (error) {
      if (error instanceof WrongReceiverError) throw new UnauthorizedError(error.message);
      if (error instanceof MsgCryptError) throw new ValidationError(error.message);
      throw error;
    }
  }
}

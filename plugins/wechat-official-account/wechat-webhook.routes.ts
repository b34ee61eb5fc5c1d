import {
  type AppContext,
  assertNoDeclarations,
  cdata,
  extractEncrypt,
  ForbiddenError,
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
import { isPersonalized, personalize, ReplyChooser, renderReply, replyNonce } from './passive-reply';
import type { SceneChannels } from './scene-channel';
import type { WechatAccount, WechatConfig } from './wechat-config.schema';
import { normalizeWechatMessage } from './wechat-message-normalizer';

function queryText(ctx: AppContext, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value.length <= 256 ? value : undefined;
}

/**
 * One official account's webhook. The request path does only what must happen before the answer: check the signature
 * and the timestamp (before reading the body), read at most `bodyLimitKb`, check msg_signature and decrypt in safe
 * mode, parse, write to the durable inbox, and reply. Everything else happens in the worker.
 */
export class WechatWebhook {
  private readonly token: string;
  private readonly crypto: MsgCrypt | undefined;
  private readonly replies: ReplyChooser;

  constructor(
    private readonly account: WechatAccount,
    private readonly config: WechatConfig,
    private readonly scenes: SceneChannels,
    private readonly context: PluginContext<WechatConfig>,
  ) {
    this.token = account.token.reveal();
    this.crypto = account.encodingAESKey ? new MsgCrypt(account.encodingAESKey.reveal(), account.appId) : undefined;
    this.replies = new ReplyChooser(account.replies);
  }

  /** GET: WeChat checks the URL; echo `echostr` when the signature holds. */
  verifyUrl = async (ctx: AppContext): Promise<void> => {
    this.verifyQuery(ctx);
    const echo = queryText(ctx, 'echostr');
    if (echo === undefined) throw new ValidationError('missing echostr');
    ctx.type = 'text/plain';
    ctx.body = echo;
  };

  /** POST: a follower's message or event. */
  receive = async (ctx: AppContext): Promise<void> => {
    const { timestamp, nonce } = this.verifyQuery(ctx);
    const encrypted = queryText(ctx, 'encrypt_type') === 'aes';
    if (!encrypted && this.account.requireEncryption) {
      throw new ForbiddenError('this account accepts encrypted (safe mode) messages only');
    }
    if (encrypted && !this.crypto)
      throw new ValidationError('encrypted message, but the account has no encodingAESKey');

    const body = (await readRawBody(ctx, this.config.bodyLimitKb * 1024)).toString('utf8');
    assertNoDeclarations(body);
    const xml = encrypted ? this.open(body, timestamp, nonce, queryText(ctx, 'msg_signature')) : body;
    const fields = parseWechatXml(xml);
    const message = normalizeWechatMessage(fields, this.account.name, this.scenes, this.context.clock());

    if (message.events.length > 0) await this.context.inbound.submit(message.events);
    if (message.report) await this.context.deliveryReports.record(message.report);

    const chosen = this.replies.choose(message);
    const reply =
      chosen && isPersonalized(chosen)
        ? personalize(chosen, await this.context.profiles.attributesOf(this.follower(fields)))
        : chosen;
    if (!reply) {
      ctx.type = 'text/plain';
      ctx.body = 'success';
      return;
    }
    const document = renderReply(
      reply,
      String(fields.FromUserName),
      String(fields.ToUserName),
      this.context.clock().getTime(),
    );
    ctx.type = 'text/xml';
    ctx.body = encrypted ? this.seal(document) : document;
  };

  /** The sender's identity, to look up what Persona knows about them for a personalized reply. */
  private follower(fields: Record<string, unknown>) {
    return { type: 'openid' as const, scope: this.account.name, value: String(fields.FromUserName) };
  }

  /** Checks `signature` over (token, timestamp, nonce) and the replay window. Nothing has been read yet. */
  private verifyQuery(ctx: AppContext): { timestamp: string; nonce: string } {
    const signature = queryText(ctx, 'signature');
    const timestamp = queryText(ctx, 'timestamp');
    const nonce = queryText(ctx, 'nonce');
    if (!signature || !timestamp || !nonce) throw new UnauthorizedError('missing signature, timestamp or nonce');
    if (!signaturesMatch(wechatSignature(this.token, timestamp, nonce), signature)) {
      throw new UnauthorizedError('signature does not match');
    }
    const window = this.config.replayWindowSeconds;
    if (window > 0) {
      const skew = Math.abs(this.context.clock().getTime() / 1000 - Number(timestamp));
      if (!/^\d{1,12}$/.test(timestamp) || skew > window) {
        throw new UnauthorizedError(`timestamp is more than ${window} seconds from now`);
      }
    }
    return { timestamp, nonce };
  }

  /** Safe and compatible mode: msg_signature over the ciphertext, then decrypt and check the appId. */
  private open(body: string, timestamp: string, nonce: string, msgSignature: string | undefined): string {
    const encrypt = extractEncrypt(body);
    if (!encrypt) throw new ValidationError('encrypted message without an <Encrypt> element');
    if (!signaturesMatch(wechatSignature(this.token, timestamp, nonce, encrypt), msgSignature)) {
      throw new UnauthorizedError('msg_signature does not match');
    }
    try {
      const xml = (this.crypto as MsgCrypt).decrypt(encrypt);
      assertNoDeclarations(xml);
      return xml;
    } catch (error) {
      if (error instanceof WrongReceiverError) throw new UnauthorizedError(error.message);
      if (error instanceof MsgCryptError) throw new ValidationError(error.message);
      throw error;
    }
  }

  /** An encrypted reply envelope with its own timestamp, nonce and MsgSignature. */
  private seal(document: string): string {
    const encrypt = (this.crypto as MsgCrypt).encrypt(document);
    const timestamp = String(Math.floor(this.context.clock().getTime() / 1000));
    const nonce = replyNonce();
    const signature = wechatSignature(this.token, timestamp, nonce, encrypt);
    return `<xml><Encrypt>${cdata(encrypt)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`;
  }
}

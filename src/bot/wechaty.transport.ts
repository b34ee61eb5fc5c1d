import type { Logger } from 'pino';
import type { ContactInterface, MessageInterface, RoomInterface, WechatyInterface } from 'wechaty/impls';
import type { ChatAnswer, ChatMessage } from './bot-engine';
import type { Clock } from '../util/clock';

/** Where the WeChat connection stands, for logs and `GET /api/bot/status`. */
export type WechatyState = 'off' | 'starting' | 'waiting_for_scan' | 'online' | 'offline' | 'reconnecting';

export interface WechatyStatus {
  state: WechatyState;
  since: string;
  /** While waiting for a scan: the login QR code as a link to open and scan. */
  qrUrl: string | null;
  /** The logged-in account's name. */
  user: string | null;
  /** Failed starts or drops in a row (reset once online). */
  failures: number;
  lastError: string | null;
}

export interface WechatyTransportOptions {
  name: string;
  /** A puppet package name, or a maker of puppet instances, one per connection (tests: wechaty-puppet-mock). */
  puppet: string | (() => object);
  puppetOptions: Record<string, unknown>;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

/** Messages older than this when they arrive (a backlog replayed at login) are not answered. */
const maxAgeSeconds = 300;

/**
 * The bot over WeChat, through Wechaty. Started without blocking the server; a start that fails and a connection
 * that drops are retried with doubling backoff, so the server never depends on it. Only text messages from others
 * are handed to the engine (the bot's own are ignored); in groups, the mention is taken out and reported.
 */
export class WechatyTransport {
  private bot: WechatyInterface | undefined;
  private current: WechatyStatus;
  private stopping = false;
  private restarting = false;
  /** The last error Wechaty reported while starting. */
  private startError: Error | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(status: WechatyStatus) => void>();
  private readonly answered = new Set<(message: ChatMessage, answer: ChatAnswer) => void>();

  constructor(
    private readonly options: WechatyTransportOptions,
    private readonly handle: (message: ChatMessage) => Promise<ChatAnswer>,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.current = {
      state: 'off',
      since: clock().toISOString(),
      qrUrl: null,
      user: null,
      failures: 0,
      lastError: null,
    };
  }

  get status(): WechatyStatus {
    return { ...this.current };
  }

  /** Calls `listener` at every change of state; answers its removal. */
  onStatus(listener: (status: WechatyStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` after each message is handled and its answer sent (empty when ignored); answers its removal. */
  onAnswered(listener: (message: ChatMessage, answer: ChatAnswer) => void): () => void {
    this.answered.add(listener);
    return () => this.answered.delete(listener);
  }

  /** Begins connecting in the background. */
  start(): void {
    this.stopping = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retry);
    const bot = this.bot;
    this.bot = undefined;
    if (bot) await bot.stop().catch((error: unknown) => this.log.warn({ err: error }, 'wechaty: stopping failed'));
    this.set({ state: 'off', qrUrl: null, user: null });
  }

  /** Starts the connection (built once: a puppet belongs to one Wechaty for good, so a reconnect restarts it). */
  private async connect(): Promise<void> {
    if (this.stopping) return;
    this.set({ state: this.current.failures > 0 ? 'reconnecting' : 'starting' });
    try {
      this.bot ??= await this.build();
      const bot = this.bot;
      this.startError = undefined;
      await bot.start();
      // Wechaty's start resolves even when its puppet failed to start (it reports that as an error event).
      if (!bot.puppet.state.active()) throw this.startError ?? new Error('the puppet did not start');
      if (this.stopping) return;
      // Connected to the puppet; logged in only once a scan (or a kept session) says so.
      if (this.current.state === 'starting' || this.current.state === 'reconnecting') this.set({ state: 'offline' });
    } catch (error) {
      this.dropped(error as Error);
    }
  }

  private async build(): Promise<WechatyInterface> {
    const { WechatyBuilder } = await import('wechaty');
    const { puppet } = this.options;
    const bot = WechatyBuilder.build({
      name: this.options.name,
      puppet: (typeof puppet === 'function' ? puppet() : puppet) as never,
      puppetOptions: this.options.puppetOptions as never,
    });
    bot.on('scan', (qrcode: string) => this.onScan(qrcode));
    bot.on('login', (user: ContactInterface) => {
      this.log.info({ user: user.name() }, 'wechaty: logged in');
      this.set({ state: 'online', qrUrl: null, user: user.name(), failures: 0, lastError: null });
    });
    // Logged out (from the phone, or the puppet went away): start over, which asks for a new scan if need be.
    bot.on('logout', (user: ContactInterface, reason?: string) => {
      if (this.stopping || this.restarting) return;
      this.dropped(new Error(`logged out${reason ? ` (${reason})` : ''} as ${user.name()}`));
    });
    bot.on('error', (error: Error) => {
      this.startError = error;
      this.log.warn({ err: error }, 'wechaty: error');
      this.set({ lastError: error.message });
    });
    bot.on('message', (message: MessageInterface) => {
      this.receive(bot, message).catch((error: unknown) =>
        this.log.error({ err: error }, 'wechaty: answering a message failed'),
      );
    });
    return bot;
  }

  /** Not connected: stop what is left and start again after a doubling wait. */
  private dropped(error: Error): void {
    if (this.stopping) return;
    const failures = this.current.failures + 1;
    const wait = Math.min(this.options.reconnectMaxMs, this.options.reconnectBaseMs * 2 ** (failures - 1));
    this.log.error({ err: error, failures, retryInMs: wait }, 'wechaty: not connected; retrying');
    this.set({ state: 'reconnecting', failures, lastError: error.message, user: null, qrUrl: null });
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.restart(), wait);
    this.retry.unref();
  }

  private async restart(): Promise<void> {
    const bot = this.bot;
    if (bot) {
      this.restarting = true;
      await bot
        .stop()
        .catch((error: unknown) => this.log.warn({ err: error }, 'wechaty: stopping before a restart failed'));
      this.restarting = false;
    }
    await this.connect();
  }

  /**
   * Sends an answer to an operator by their contact (WeChat id, else the alias the bot's account gave them), unasked
   * (the morning digest). False when not logged in or nobody answers to that contact.
   */
  async sendTo(contact: string, answer: ChatAnswer): Promise<boolean> {
    const bot = this.bot;
    if (!bot || this.current.state !== 'online') return false;
    const talker =
      (await bot.Contact.find({ id: contact }).catch(() => undefined)) ??
      (await bot.Contact.find({ alias: contact }).catch(() => undefined));
    if (!talker) return false;
    await this.deliver(talker, undefined, answer);
    return true;
  }

  private onScan(qrcode: string): void {
    const qrUrl = `https://wechaty.js.org/qrcode/${encodeURIComponent(qrcode)}`;
    this.set({ state: 'waiting_for_scan', qrUrl });
    this.log.info({ qrUrl }, 'wechaty: scan this QR code with the bot account’s WeChat to log in');
    import('qrcode')
      .then(({ toString }) => toString(qrcode, { type: 'terminal', small: true }))
      .then((drawing) => process.stderr.write(`${drawing}\n`))
      .catch(() => undefined);
  }

  private async receive(bot: WechatyInterface, message: MessageInterface): Promise<void> {
    if (message.self() || message.type() !== bot.Message.Type.Text || message.age() > maxAgeSeconds) return;
    const talker = message.talker();
    const room = message.room();
    const alias = await talker.alias().catch(() => undefined);
    const chat: ChatMessage = {
      transport: 'wechaty',
      sender: { id: talker.id, alias: alias ?? null },
      text: room ? await message.mentionText() : message.text(),
      messageId: message.id,
      ...(room ? { room: { id: room.id, mentioned: await message.mentionSelf() } } : {}),
    };
    const answer = await this.handle(chat);
    await this.deliver(talker, room ?? undefined, answer);
    for (const listener of this.answered) listener(chat, answer);
  }

  /** Texts in order, then pictures: in the room (mentioning the talker) or to the talker. */
  private async deliver(talker: ContactInterface, room: RoomInterface | undefined, answer: ChatAnswer): Promise<void> {
    const { FileBox } = await import('file-box');
    for (const reply of answer.replies) {
      if (room) await room.say(reply, talker);
      else await talker.say(reply);
    }
    for (const image of answer.images)
      await (room ?? talker).say(
        // As base64: a file box a puppet can pass on (a buffer's can't be serialized, e.g. to a puppet service).
        image.png
          ? FileBox.fromBase64(image.png.toString('base64'), image.name)
          : FileBox.fromUrl(image.url, { name: image.name }),
      );
  }

  private set(change: Partial<WechatyStatus>): void {
    const before = this.current.state;
    this.current = {
      ...this.current,
      ...change,
      ...(change.state && change.state !== before ? { since: this.clock().toISOString() } : {}),
    };
    for (const listener of this.listeners) listener(this.status);
  }
}

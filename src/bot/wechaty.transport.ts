import type { Logger } from 'pino';
import type { ContactInterface, MessageInterface, WechatyInterface } from 'wechaty/impls';
import type { ChatMessage } from './bot-engine';

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
  /** A puppet package name, or a puppet instance (tests hand in wechaty-puppet-mock's). */
  puppet: string | object;
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
  private retry: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(status: WechatyStatus) => void>();

  constructor(
    private readonly options: WechatyTransportOptions,
    private readonly handle: (message: ChatMessage) => Promise<string[]>,
    private readonly log: Logger,
  ) {
    this.current = { state: 'off', since: new Date().toISOString(), qrUrl: null, user: null, failures: 0, lastError: null };
  }

  get status(): WechatyStatus {
    return { ...this.current };
  }

  /** Calls `listener` at every change of state; answers its removal. */
  onStatus(listener: (status: WechatyStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  private async connect(): Promise<void> {
    this.set({ state: this.current.failures > 0 ? 'reconnecting' : 'starting' });
    try {
      const { WechatyBuilder } = await import('wechaty');
      const bot = WechatyBuilder.build({ name: this.options.name, puppet: this.options.puppet as never, puppetOptions: this.options.puppetOptions as never });
      this.bot = bot;
      bot.on('scan', (qrcode: string) => this.onScan(qrcode));
      bot.on('login', (user: ContactInterface) => {
        this.log.info({ user: user.name() }, 'wechaty: logged in');
        this.set({ state: 'online', qrUrl: null, user: user.name(), failures: 0, lastError: null });
      });
      bot.on('logout', (user: ContactInterface) => {
        this.log.warn({ user: user.name() }, 'wechaty: logged out; waiting for a new scan');
        this.set({ state: 'offline', user: null });
      });
      bot.on('error', (error: Error) => {
        this.log.warn({ err: error }, 'wechaty: error');
        this.set({ lastError: error.message });
      });
      // Stopped by anything but us: the connection dropped.
      bot.on('stop', () => {
        if (!this.stopping && this.bot === bot) this.dropped(new Error('the connection stopped'));
      });
      bot.on('message', (message: MessageInterface) => {
        this.receive(bot, message).catch((error: unknown) => this.log.error({ err: error }, 'wechaty: answering a message failed'));
      });
      await bot.start();
      if (this.stopping) await bot.stop();
    } catch (error) {
      this.dropped(error as Error);
    }
  }

  private dropped(error: Error): void {
    const failures = this.current.failures + 1;
    const wait = Math.min(this.options.reconnectMaxMs, this.options.reconnectBaseMs * 2 ** (failures - 1));
    this.log.error({ err: error, failures, retryInMs: wait }, 'wechaty: not connected; retrying');
    this.set({ state: 'reconnecting', failures, lastError: error.message, user: null, qrUrl: null });
    const bot = this.bot;
    this.bot = undefined;
    if (bot) void bot.stop().catch(() => undefined);
    if (this.stopping) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), wait);
    this.retry.unref();
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
    for (const reply of await this.handle(chat)) {
      if (room) await room.say(reply, talker);
      else await talker.say(reply);
    }
  }

  private set(change: Partial<WechatyStatus>): void {
    const before = this.current.state;
    this.current = { ...this.current, ...change, ...(change.state && change.state !== before ? { since: new Date().toISOString() } : {}) };
    for (const listener of this.listeners) listener(this.status);
  }
}

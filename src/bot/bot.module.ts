import type { Logger } from 'pino';
import type { LanguageModel } from '../ai/language-model';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { Lifecycle, RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import { NamedRegistry } from '../util/named-registry';
import { botAuditPersonData } from './bot-audit-person-data';
import type { BotCommand } from './bot-command.types';
import { BotAuditService } from './bot-audit.service';
import { type ChatAnswer, type ChatMessage, BotEngine } from './bot-engine';
import { revealedPuppetOptions } from './bot-config.schema';
import type { BotServices } from './bot-services';
import { CommandRegistry } from './command-registry';
import { askCommand } from './commands/ask.command';
import { cancelCommand } from './commands/cancel.command';
import { confirmCommand } from './commands/confirm.command';
import { draftCommand } from './commands/draft.command';
import { helpCommand } from './commands/help.command';
import { pushCommand } from './commands/push.command';
import { pushesCommand } from './commands/pushes.command';
import { rulesCommand } from './commands/rules.command';
import { segmentCommand } from './commands/segment.command';
import { statsCommand } from './commands/stats.command';
import { statusCommand } from './commands/status.command';
import { tagCommand } from './commands/tag.command';
import { tagsCommand } from './commands/tags.command';
import { whoisCommand } from './commands/whois.command';
import { ConfirmationCodes } from './confirmation-codes.repository';
import { ChartStore } from './chart-store.repository';
import { DailyDigest } from './daily-digest';
import { subscribeCommand, unsubscribeCommand } from './commands/subscribe.command';
import { warmUpCharts } from '../charts/chart-renderer';
import { OperatorDirectory } from './operator-directory';
import type { Announcer, ChannelStatus, ChatChannel } from './chat-channel.types';
import { TeamAnnouncements } from './team-announcements';
import type { NoticeBoard } from '../notices/notice-board';
import { OperatorRateLimiter } from './operator-rate-limiter';
import { WechatyTransport, type WechatyStatus } from './wechaty.transport';
import type { Clock } from '../util/clock';

export const botRoom: RoomDefinition = {
  room: 'bot',
  tables: ['bot_audit', 'bot_confirmations', 'bot_charts', 'bot_subscriptions', 'bot_digests'],
};

export interface BotModuleDeps {
  config: Config;
  db: Database;
  services: Omit<BotServices, 'confirmations' | 'bulkConfirmAbove' | 'charts'>;
  /** The language model behind `ask` and `draft` (off without a key). */
  model: LanguageModel;
  /** What the team is told unasked (finished pushes, alerts): announced to the announcers plugins add. */
  notices?: NoticeBoard;
  /** Makes puppet instances instead of the configured package (tests). */
  puppet?: () => object;
  log: Logger;
  clock: Clock;
}

/**
 * The operator bot: its commands (Persona's and plugins'), the engine, and the transports that share it: Wechaty
 * (started in the background when enabled), the HTTP route and the console. Owns the port plugins add commands
 * through, and the audit of every command.
 */
export class BotModule implements RoomModule {
  readonly definition = botRoom;
  readonly contributes: RoomContributions;
  readonly lifecycle: Lifecycle;
  /** Commands plugins registered. */
  readonly commands = new NamedRegistry<BotCommand>('bot command');
  /** Chats plugins add (WeCom apps): operators talk to the bot there, and are reached there unasked. */
  readonly channels = new NamedRegistry<ChatChannel>('chat channel');
  /** Where notices and the team digest go (WeCom group robots). */
  readonly announcers = new NamedRegistry<Announcer>('announcer');
  readonly announcements: TeamAnnouncements;
  readonly engine: BotEngine;
  readonly registry: CommandRegistry;
  readonly audit: BotAuditService;
  readonly operators: OperatorDirectory;
  readonly wechaty: WechatyTransport | undefined;
  /** The morning digest for operators who subscribed. */
  readonly digest: DailyDigest;
  /** Charts drawn for answers (their links are served by the HTTP door). */
  readonly charts: ChartStore;
  private warming: Promise<void> = Promise.resolve();
  private stopListening: (() => void) | undefined;

  constructor(deps: BotModuleDeps) {
    const { config, clock } = deps;
    this.charts = new ChartStore(deps.db, clock);
    const bot = config.bot;
    const log = deps.log.child({ room: 'bot' });
    const services: BotServices = {
      ...deps.services,
      confirmations: new ConfirmationCodes(deps.db, bot.confirmationMinutes, clock),
      bulkConfirmAbove: bot.bulkConfirmAbove,
      charts: this.charts,
    };
    this.operators = new OperatorDirectory(bot.operators, config.locale);
    this.announcements = new TeamAnnouncements(services, this.announcers, log);
    // Unasked, an operator is reached by the chat that knows their contact (a WeCom app), else over WeChat.
    this.digest = new DailyDigest(
      deps.db,
      services,
      this.operators,
      (contact, answer) => this.sendTo(contact, answer),
      log,
      this.announcements,
    );
    const core = [
      helpCommand(() => this.registry, services),
      whoisCommand(services),
      segmentCommand(services),
      tagsCommand(services),
      tagCommand(services),
      pushCommand(services),
      confirmCommand(services),
      statusCommand(services),
      cancelCommand(services),
      pushesCommand(services),
      statsCommand(services),
      rulesCommand(services),
      askCommand(services, deps.model),
      draftCommand(services, deps.model),
      subscribeCommand(this.digest),
      unsubscribeCommand(this.digest),
    ];
    this.registry = new CommandRegistry(core, this.commands);
    this.audit = new BotAuditService(deps.db);
    this.engine = new BotEngine(
      this.registry,
      this.operators,
      this.audit,
      new OperatorRateLimiter(bot.commandsPerMinute, clock),
      {
        groupsEnabled: bot.groups.enabled,
        commandsPerMinute: bot.commandsPerMinute,
        defaultLocale: config.locale,
        // With a model, a question typed without a command is a question for it.
        ...(deps.model.enabled ? { plainTextCommand: 'ask' } : {}),
      },
      log,
      clock,
    );
    if (bot.wechaty.enabled || deps.puppet) {
      this.wechaty = new WechatyTransport(
        {
          name: bot.wechaty.name,
          puppet: deps.puppet ?? bot.wechaty.puppet,
          puppetOptions: revealedPuppetOptions(bot.wechaty.puppetOptions),
          reconnectBaseMs: bot.wechaty.reconnectBaseMs,
          reconnectMaxMs: bot.wechaty.reconnectMaxMs,
        },
        (message) => this.handle(message),
        log,
        deps.clock,
      );
    }
    this.contributes = { personData: botAuditPersonData(deps.db), jobs: [this.digest.job()] };
    this.lifecycle = {
      // In the background: the server never waits for (or depends on) the WeChat connection.
      start: async (options) => {
        if (deps.notices) this.stopListening = this.announcements.listen(deps.notices);
        if (options.wechaty !== false) this.wechaty?.start();
        // The first chart pays for ECharts' and the font's first use: paid here, not by an operator's /stats.
        this.warming = warmUpCharts().catch((error: unknown) =>
          log.warn({ err: error }, 'charts could not be drawn; answers will come without them'),
        );
      },
      stop: async () => {
        this.stopListening?.();
        await this.warming;
        await this.wechaty?.stop();
      },
    };
  }

  /** The answer to a chat message (nothing when the bot ignores it). */
  async handle(message: ChatMessage): Promise<ChatAnswer> {
    const { outcome: _outcome, ...answer } = await this.engine.handle(message);
    return answer;
  }

  /** Sends an answer to an operator unasked: by the chat channel that reaches their contact, else over WeChat. */
  async sendTo(contact: string, answer: ChatAnswer): Promise<boolean> {
    const channel = this.channels.list().find((candidate) => candidate.reaches(contact));
    if (channel) return channel.sendTo(contact, answer);
    return (await this.wechaty?.sendTo(contact, answer)) ?? false;
  }

  /** What `GET /api/bot/status` shows: every chat and announcer and its state. */
  status(): {
    wechaty: WechatyStatus | { state: 'disabled' };
    channels: ChannelStatus[];
    announcers: ChannelStatus[];
    operators: number;
    commands: string[];
  } {
    return {
      wechaty: this.wechaty?.status ?? { state: 'disabled' },
      channels: this.channels.list().map((channel) => channel.status()),
      announcers: this.announcers.list().map((announcer) => announcer.status()),
      operators: this.operators.size,
      commands: this.registry.all().map((command) => command.name),
    };
  }
}

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
    // Unasked, an operator is reached over WeChat (the one chat that can take a message unasked).
    this.digest = new DailyDigest(
      deps.db,
      services,
      this.operators,
      async (contact, answer) => (await this.wechaty?.sendTo(contact, answer)) ?? false,
      log,
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
        if (options.wechaty !== false) this.wechaty?.start();
        // The first chart pays for ECharts' and the font's first use: paid here, not by an operator's /stats.
        this.warming = warmUpCharts().catch((error: unknown) =>
          log.warn({ err: error }, 'charts could not be drawn; answers will come without them'),
        );
      },
      stop: async () => {
        await this.warming;
        await this.wechaty?.stop();
      },
    };
  }

  /** The answer to a chat message (nothing when the bot ignores it). */
  async handle(message: ChatMessage): Promise<ChatAnswer> {
    const { replies, images } = await this.engine.handle(message);
    return { replies, images };
  }

  /** What `GET /api/bot/status` shows. */
  status(): { wechaty: WechatyStatus | { state: 'disabled' }; operators: number; commands: string[] } {
    return {
      wechaty: this.wechaty?.status ?? { state: 'disabled' },
      operators: this.operators.size,
      commands: this.registry.all().map((command) => command.name),
    };
  }
}

import type { Logger } from 'pino';
import type { CredentialStore } from '../credentials/credential-store';
import type { RouteRegistry } from '../http/route-registry';
import type { InboundEvent } from '../ingest/inbound-event';
import type { JobScheduler } from '../jobs/job-scheduler';
import type { AttributeValue } from '../profiles/attribute-catalog';
import type { Identity } from '../profiles/identity';
import type { ProfileEnricher } from '../profiles/profile-enricher';
import type { DeliveryReport } from '../pushes/delivery-report.service';
import type {
  Announcer,
  BotCommand,
  BotLocale,
  BotRole,
  ChatChannel,
  ChatMessage,
  PushAccount,
  PushSender,
  ReceivedChat,
  RuleVocabulary,
} from './extension-points';
import type { NamedRegistry } from '../util/named-registry';
import type { LoadedPlugin } from './plugin-loader';
import { PluginError } from './plugins.errors';
import type { PluginContext, Teardown } from './plugin.types';
import type { Clock } from '../util/clock';

export interface PluginHostDeps {
  log: Logger;
  settings: { timezone: string; locale: string };
  clock: Clock;
  routes: RouteRegistry;
  jobs: JobScheduler;
  submit(source: string, events: InboundEvent[]): Promise<{ duplicates: number }>;
  recordDeliveryReport(source: string, report: DeliveryReport): Promise<boolean>;
  attributesOf(identity: Identity): Promise<Record<string, AttributeValue>>;
  enricher: Pick<ProfileEnricher, 'followersWithout' | 'enrich'>;
  credentials: Pick<CredentialStore, 'get' | 'invalidate'>;
  /** The ports plugins fill, each owned by the room that uses it (pushes, the bot, segments). */
  ports: {
    pushSenders: NamedRegistry<PushSender>;
    pushAccounts: NamedRegistry<PushAccount>;
    commands: NamedRegistry<BotCommand>;
    vocabularies: NamedRegistry<RuleVocabulary>;
    chatChannels: NamedRegistry<ChatChannel>;
    announcers: NamedRegistry<Announcer>;
  };
  /** The operator bot's door for chats plugins add. */
  bot: {
    receive(message: ChatMessage): Promise<ReceivedChat | undefined>;
    operator(contact: string): { name: string; role: BotRole; locale: BotLocale } | undefined;
  };
}

type HostState = 'new' | 'set-up' | 'started' | 'stopped';

interface Running {
  plugin: LoadedPlugin;
  context: PluginContext<unknown>;
  /** The plugin's own stop hooks and the teardown its setup returned: run first. */
  stopHooks: Teardown[];
  /** Undo functions of its registrations: run after, newest first. */
  registrations: Teardown[];
}

/**
 * Runs plugins through setup → start → stop, once each and in that order (a second call throws). Every
 * registration a plugin makes is recorded, so stop undoes all of it, last in first out.
 */
export class PluginHost {
  private state: HostState = 'new';
  private readonly running: Running[] = [];

  constructor(
    private readonly plugins: readonly LoadedPlugin[],
    private readonly deps: PluginHostDeps,
  ) {}

  get names(): string[] {
    return this.plugins.map((plugin) => plugin.definition.name);
  }

  async setup(): Promise<void> {
    this.advance('setup', 'new', 'set-up');
    for (const plugin of this.plugins) {
      const running: Running = { plugin, context: undefined as never, stopHooks: [], registrations: [] };
      running.context = this.contextFor(plugin, running);
      this.running.push(running);
      try {
        const teardown = await plugin.definition.setup(running.context);
        if (typeof teardown === 'function') running.stopHooks.push(teardown);
      } catch (error) {
        throw new PluginError(plugin.definition.name, `setup failed: ${(error as Error).message}`, { cause: error });
      }
      this.deps.log.info({ plugin: plugin.definition.name }, 'plugin set up');
    }
  }

  async start(): Promise<void> {
    this.advance('start', 'set-up', 'started');
    for (const { plugin, context } of this.running) {
      try {
        await plugin.definition.start?.(context);
      } catch (error) {
        throw new PluginError(plugin.definition.name, `start failed: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  /**
   * Stops every plugin, newest first: its stop hooks, then its registrations undone newest first. A failing teardown is
   * logged and the rest still run. Also valid after a failed setup or start, to undo what got registered.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped') throw new Error('plugins already stopped');
    this.state = 'stopped';
    for (const { plugin, stopHooks, registrations } of [...this.running].reverse()) {
      for (const teardown of [...stopHooks.reverse(), ...registrations.reverse()]) {
        try {
          await teardown();
        } catch (error) {
          this.deps.log.error({ err: error, plugin: plugin.definition.name }, 'plugin teardown failed');
        }
      }
    }
    this.running.length = 0;
  }

  private advance(step: string, from: HostState, to: HostState): void {
    if (this.state !== from) throw new Error(`plugins: ${step} called when already ${this.state}`);
    this.state = to;
  }

  private contextFor(plugin: LoadedPlugin, running: Running): PluginContext<unknown> {
    const name = plugin.definition.name;
    const { deps } = this;
    const record = (undo: () => void) => running.registrations.push(undo);
    return {
      name,
      config: plugin.config,
      log: deps.log.child({ plugin: name }),
      settings: deps.settings,
      clock: deps.clock,
      http: { route: (route) => record(deps.routes.add(name, route)) },
      inbound: { submit: (events) => deps.submit(name, events) },
      deliveryReports: { record: (report) => deps.recordDeliveryReport(name, report) },
      profiles: {
        attributesOf: (identity) => deps.attributesOf(identity),
        followersWithout: (account, attribute, options) => deps.enricher.followersWithout(account, attribute, options),
        enrich: (identity, facts) => deps.enricher.enrich(identity, facts, facts.channel ?? name),
      },
      credentials: {
        get: (key, fetch) => deps.credentials.get(`${name}:${key}`, fetch),
        invalidate: (key, failed) => deps.credentials.invalidate(`${name}:${key}`, failed),
      },
      jobs: { register: (job) => record(deps.jobs.register({ ...job, name: `${name}.${job.name}` })) },
      pushSenders: { register: (sender) => record(deps.ports.pushSenders.add(name, sender.channel, sender)) },
      pushAccounts: { register: (account) => record(deps.ports.pushAccounts.add(name, account.name, account)) },
      commands: { register: (command) => record(deps.ports.commands.add(name, command.name, command)) },
      bot: {
        receive: (message) => deps.bot.receive(message),
        operator: (contact) => deps.bot.operator(contact),
        channels: { register: (channel) => record(deps.ports.chatChannels.add(name, channel.name, channel)) },
        announcers: {
          register: (announcer) => record(deps.ports.announcers.add(name, announcer.name, announcer)),
        },
      },
      vocabularies: {
        register: (vocabulary) => record(deps.ports.vocabularies.add(name, vocabulary.name, vocabulary)),
      },
      onStop: (teardown) => {
        running.stopHooks.push(teardown);
      },
    };
  }
}

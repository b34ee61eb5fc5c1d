import type Koa from 'koa';
import type { Logger } from 'pino';
import { AiModule } from './ai/ai.module';
import { AuditModule } from './audit/audit.module';
import { BotModule } from './bot/bot.module';
import type { Config } from './config/config.schema';
import { CredentialsModule } from './credentials/credentials.module';
import type { CredentialStore } from './credentials/credential-store';
import { Database } from './db/database';
import { withMigrationLock } from './db/migration-lock';
import { createMigrator, type Migrator } from './db/migrator';
import { Authenticator } from './http/authenticator';
import { HttpModule } from './http/http.module';
import type { AppState } from './http/http-state';
import { RouteRegistry } from './http/route-registry';
import type { EventPipeline } from './ingest/event-pipeline';
import type { InboundEvent } from './ingest/inbound-event';
import { IngestModule } from './ingest/ingest.module';
import type { InboxService } from './ingest/inbox.service';
import type { InboxWorker } from './ingest/inbox.worker';
import { JobsModule } from './jobs/jobs.module';
import type { JobScheduler } from './jobs/job-scheduler';
import type { RoomModule, StartOptions } from './kernel/room-module.types';
import { Metrics } from './metrics/metrics';
import { NoticeBoard } from './notices/notice-board';
import type { PluginHost } from './plugins/plugin-host';
import { loadPlugins } from './plugins/plugin-loader';
import { PluginsModule } from './plugins/plugins.module';
import type { AttributeService } from './profiles/attribute.service';
import type { PersonDataExport } from './profiles/person-data-export';
import type { PersonDataRegistry } from './profiles/person-data';
import type { ProfileEraser } from './profiles/profile-eraser';
import type { ProfileMerger } from './profiles/profile-merger';
import type { ProfileService } from './profiles/profile.service';
import { ProfilesModule } from './profiles/profiles.module';
import type { SubscriptionService } from './profiles/subscription.service';
import type { DeliveryReportService } from './pushes/delivery-report.service';
import type { PushDeliveryWorker } from './pushes/push-delivery.worker';
import type { PushService } from './pushes/push.service';
import { PushesModule } from './pushes/pushes.module';
import type { RulesDocument } from './rules/rules-document.schema';
import { RulesModule } from './rules/rules.module';
import type { RulesProvider } from './rules/rules-provider';
import type { TagService } from './rules/tag.service';
import type { SegmentService } from './segments/segment.service';
import { SegmentsModule } from './segments/segments.module';
import { TimelineModule } from './timeline/timeline.module';
import type { TimelineService } from './timeline/timeline.service';
import { type Clock, systemClock } from './util/clock';
import type { WebhookDeliveryWorker } from './webhooks/webhook-delivery.worker';
import type { WebhookOutbox } from './webhooks/webhook-outbox.repository';
import { WebhooksModule } from './webhooks/webhooks.module';

/** What the composition root may add to the config: how to read the rules again, and the clock (tests move it). */
export interface PersonaOptions {
  /** Reads the rules document from the config files again (hot reload); without it the rules never change. */
  readRules?: () => RulesDocument;
  /** Config files to watch for rule changes. */
  watchFiles?: readonly string[];
  clock?: Clock;
  /** Makes Wechaty puppets for the bot instead of the configured package (tests use wechaty-puppet-mock). */
  botPuppet?: () => object;
}

/**
 * One running Persona: the rooms' modules, built in dependency order from config, their contributions plugged into
 * the shared mechanisms (pipeline stages by phase, timeline listeners, jobs, person data, gauges). `start` migrates
 * and starts the modules' running parts in start order; `stop` stops them in reverse, letting in-flight requests and
 * the current worker batch finish. Holds no logic of its own.
 */
export class Persona {
  readonly db: Database;
  readonly migrator: Migrator;
  readonly metrics = new Metrics();
  /** What the team hears of unasked: finished pushes and alerts (WeCom robots carry them). */
  readonly notices: NoticeBoard;
  /** Every module, in the order they were built (each from the ones before it). */
  readonly modules: readonly RoomModule[];
  readonly rulesModule: RulesModule;
  readonly pushesModule: PushesModule;
  readonly bot: BotModule;
  readonly timeline: TimelineService;
  readonly credentials: CredentialStore;
  readonly jobs: JobScheduler;
  readonly outbox: WebhookOutbox;
  readonly webhooks: WebhookDeliveryWorker;
  readonly rules: RulesProvider;
  readonly tags: TagService;
  readonly profiles: ProfileService;
  readonly subscriptions: SubscriptionService;
  readonly attributes: AttributeService;
  readonly merger: ProfileMerger;
  readonly eraser: ProfileEraser;
  /** What each room keeps about a person (export, merge and erasure). */
  readonly personData: PersonDataRegistry;
  readonly personExport: PersonDataExport;
  readonly inbox: InboxService;
  readonly pipeline: EventPipeline;
  readonly worker: InboxWorker;
  readonly segments: SegmentService;
  readonly pushes: PushService;
  readonly pushWorker: PushDeliveryWorker;
  readonly deliveryReports: DeliveryReportService;
  readonly plugins: PluginHost;
  readonly http: Koa<AppState>;
  private readonly ingest: IngestModule;
  private readonly httpModule: HttpModule;
  /** Modules with running parts, in the order they start (they stop in reverse). */
  private readonly startOrder: readonly RoomModule[];
  private readonly started: RoomModule[] = [];
  private state: 'new' | 'starting' | 'started' | 'stopping' | 'stopped' = 'new';

  constructor(
    readonly config: Config,
    readonly log: Logger,
    options: PersonaOptions = {},
  ) {
    const clock = options.clock ?? systemClock;
    const loadedPlugins = loadPlugins(config);
    const db = new Database({
      url: config.database.url,
      poolMax: config.database.poolMax,
      logQueries: config.database.logQueries,
      log,
    });
    this.db = db;
    this.migrator = createMigrator(db, log);
    const { metrics } = this;
    const notices = new NoticeBoard(clock, log.child({ room: 'notices' }));
    this.notices = notices;
    const base = { config, db, log, metrics, clock, notices };

    const timeline = new TimelineModule(db);
    const audit = new AuditModule();
    const credentials = new CredentialsModule(db, clock, notices);
    const jobs = new JobsModule(base);
    const webhooks = new WebhooksModule(base);
    const rules = new RulesModule({
      ...base,
      timeline: timeline.timeline,
      readRules: options.readRules ?? (() => config.rules),
      ...(options.watchFiles ? { watchFiles: options.watchFiles } : {}),
    });
    const profiles = new ProfilesModule({ config, db, timeline: timeline.timeline, tags: rules.tags, clock });
    const ingest = new IngestModule({ ...base, timeline: timeline.timeline, resolver: profiles.resolver });
    const segments = new SegmentsModule({ config, db, clock, labels: () => rules.provider.current.labels });
    const pushes = new PushesModule({
      ...base,
      timeline: timeline.timeline,
      segments: segments.segments,
      credentials: credentials.credentials,
      accept: async (source, events) => {
        await ingest.accept(source, events);
      },
    });
    const ai = new AiModule({ config, db, tags: rules.tags, rules: rules.provider, log, clock });
    const bot = new BotModule({
      config,
      db,
      services: {
        segments: segments.segments,
        profiles: profiles.profiles,
        timeline: timeline.timeline,
        explainer: rules.explainer,
        rules: rules.provider,
        rulesPreview: rules.preview,
        operatorTags: rules.operatorTags,
        stats: segments.stats,
        pushes: pushes.service,
        wakePushes: () => pushes.worker.wake(),
        timezone: config.timezone,
        clock,
      },
      model: ai.model,
      notices,
      ...(options.botPuppet ? { puppet: options.botPuppet } : {}),
      log,
      clock,
    });
    const authenticator = new Authenticator(config.auth);
    const pluginRoutes = new RouteRegistry(authenticator);
    const plugins = new PluginsModule(loadedPlugins, {
      log,
      settings: { timezone: config.timezone, locale: config.locale },
      clock,
      routes: pluginRoutes,
      jobs: jobs.scheduler,
      submit: (source, events) => ingest.accept(source, events),
      recordDeliveryReport: (source, report) => pushes.deliveryReports.record(source, report),
      attributesOf: (identity) => profiles.attributes.valuesForIdentity(identity),
      credentials: credentials.credentials,
      enricher: profiles.enricher,
      ports: {
        pushSenders: pushes.senders,
        pushAccounts: pushes.accounts,
        commands: bot.commands,
        vocabularies: segments.vocabularies,
        chatChannels: bot.channels,
        announcers: bot.announcers,
      },
      bot: {
        receive: (message) => bot.engine.receive(message),
        operator: (contact) => bot.operators.find({ id: contact }),
      },
    });

    this.rulesModule = rules;
    this.pushesModule = pushes;
    this.bot = bot;
    this.ingest = ingest;
    this.timeline = timeline.timeline;
    this.credentials = credentials.credentials;
    this.jobs = jobs.scheduler;
    this.outbox = webhooks.outbox;
    this.webhooks = webhooks.worker;
    this.rules = rules.provider;
    this.tags = rules.tags;
    this.profiles = profiles.profiles;
    this.subscriptions = profiles.subscriptions;
    this.attributes = profiles.attributes;
    this.merger = profiles.merger;
    this.eraser = profiles.eraser;
    this.personData = profiles.personData;
    this.personExport = profiles.personExport;
    this.inbox = ingest.inbox;
    this.pipeline = ingest.pipeline;
    this.worker = ingest.worker;
    this.segments = segments.segments;
    this.pushes = pushes.service;
    this.pushWorker = pushes.worker;
    this.deliveryReports = pushes.deliveryReports;
    this.plugins = plugins.host;
    this.httpModule = new HttpModule({
      services: this,
      authenticator,
      pluginRoutes,
      log,
      clock,
      shuttingDown: () => this.state === 'stopping' || this.state === 'stopped',
    });
    this.http = this.httpModule.app;
    if (!authenticator.hasAdminToken) log.warn('ADMIN_TOKEN is not set: the admin API refuses every request');

    this.modules = [
      timeline,
      audit,
      credentials,
      jobs,
      webhooks,
      rules,
      profiles,
      ingest,
      segments,
      pushes,
      ai,
      bot,
      plugins,
      this.httpModule,
    ];
    this.plugContributions();
    // Plugins register their senders, commands, jobs and routes before any room runs; rules are read before
    // automations, and automations before the inbox worker, so no trigger is processed unseen; the bot connects in
    // the background, and requests are taken last (and refused first when stopping).
    this.startOrder = [plugins, rules, pushes, jobs, ingest, webhooks, bot, this.httpModule];
    const unordered = this.modules.filter((module) => module.lifecycle && !this.startOrder.includes(module));
    if (unordered.length > 0)
      throw new Error(`modules not in the start order: ${unordered.map((m) => m.definition.room).join(', ')}`);
  }

  /** Plugs every module's contributions into the shared mechanisms the rooms own. */
  private plugContributions(): void {
    const contributions = this.modules.map((module) => module.contributes);
    this.ingest.useStages(
      contributions.flatMap((contributed) => contributed.stages ?? []),
      contributions.flatMap((contributed) => contributed.groupStages ?? []),
    );
    for (const contributed of contributions) {
      for (const listener of contributed.timelineListeners ?? []) this.timeline.onAppend(listener);
      for (const job of contributed.jobs ?? []) this.jobs.register(job);
      if (contributed.personData) this.personData.register(contributed.personData);
      for (const gauge of contributed.gauges ?? [])
        this.metrics.gauge(gauge.name, gauge.help, () => gauge.read().catch(() => Number.NaN));
    }
  }

  /**
   * Durably stores inbound events (the only work done before an HTTP answer) and wakes the worker; answers how many
   * the inbox already held.
   */
  accept(source: string, events: InboundEvent[]): Promise<{ duplicates: number }> {
    return this.ingest.accept(source, events);
  }

  /** `listen: false`: no HTTP server; `wechaty: false`: no WeChat connection for the bot (the console). */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.state !== 'new') throw new Error(`Persona can't start from state ${this.state}`);
    this.state = 'starting';
    await this.db.ping();
    if (this.config.database.migrateOnStart) await withMigrationLock(this.db, () => this.migrator.up());
    for (const module of this.startOrder) {
      this.started.push(module);
      await module.lifecycle?.start(options);
    }
    this.state = 'started';
  }

  /** Base URL of the listening server. */
  get url(): string {
    return this.httpModule.url;
  }

  /** Graceful: stop accepting, finish in-flight requests (up to the timeout), the worker's batch and jobs, close the DB. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') throw new Error('Persona is already stopping');
    this.state = 'stopping';
    for (const module of this.started.reverse()) await module.lifecycle?.stop();
    this.started.length = 0;
    await this.db.close();
    this.state = 'stopped';
  }
}

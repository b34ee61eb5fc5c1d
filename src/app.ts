import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config/config.schema';
import { Database } from './db/database';
import { withMigrationLock } from './db/migration-lock';
import { createMigrator, type Migrator } from './db/migrator';
import { apiRouters } from './http/api-routers';
import { Authenticator } from './http/authenticator';
import { createHttpApp } from './http/http-app.factory';
import type { AppState } from './http/http-state';
import { RouteRegistry } from './http/route-registry';
import { EventPipeline } from './ingest/event-pipeline';
import type { InboundEvent } from './ingest/inbound-event';
import { inboxPurgeJob } from './ingest/inbox-purge.job';
import { InboxService } from './ingest/inbox.service';
import { InboxWorker } from './ingest/inbox.worker';
import { jobHistoryPurgeJob } from './jobs/job-history-purge.job';
import { JobLeaseService } from './jobs/job-lease.service';
import { JobScheduler } from './jobs/job-scheduler';
import { Metrics } from './metrics/metrics';
import { PluginHost } from './plugins/plugin-host';
import { loadPlugins } from './plugins/plugin-loader';
import { ProfileResolver } from './profiles/profile-resolver';
import { AttributeService } from './profiles/attribute.service';
import { ProfileEraser } from './profiles/profile-eraser';
import { profileStateStage } from './profiles/profile-state.stage';
import { ProfileEnricher } from './profiles/profile-enricher';
import { ProfileMerger } from './profiles/profile-merger';
import { ProfileService } from './profiles/profile.service';
import { SubscriptionService } from './profiles/subscription.service';
import { CredentialStore } from './credentials/credential-store';
import { DeliveryReportService } from './pushes/delivery-report.service';
import { PushEngine } from './pushes/push-engine';
import { pushPersonData } from './pushes/push-person-data';
import { OperatorBot } from './bot/operator-bot';
import { botAuditPersonData } from './bot/bot-audit-person-data';
import { aiPersonData } from './ai/ai-person-data';
import { PersonDataExport } from './profiles/person-data-export';
import type { PersonDataHandler } from './profiles/person-data';
import { profilePersonData } from './profiles/profile-person-data';
import { rulesPersonData } from './rules/rules-person-data';
import { segmentPersonData } from './segments/segment-person-data';
import { timelinePersonData } from './timeline/timeline-person-data';
import { inboxPersonData } from './ingest/inbox-person-data';
import { webhookPersonData } from './webhooks/webhook-person-data';
import { LanguageModel } from './ai/language-model';
import { InterestClassification } from './ai/interest-classification';
import { interestClassificationJob } from './ai/interest-classification.job';
import { closeServer } from './http/close-server';
import { AudienceStats } from './profiles/audience-stats.service';
import type { PushDeliveryWorker } from './pushes/push-delivery.worker';
import type { PushService } from './pushes/push.service';
import { RuleEngine } from './rules/rule-engine';
import type { RulesDocument } from './rules/rules-document.schema';
import type { RulesProvider } from './rules/rules.provider';
import type { TagService } from './rules/tag.service';
import { RuleVersionStore } from './rules/rule-versions.store';
import { segmentCountsJob } from './segments/segment-counts.job';
import { SegmentService } from './segments/segment.service';
import { WebhookDeliveryWorker } from './webhooks/webhook-delivery.worker';
import { WebhookOutbox } from './webhooks/webhook-outbox.service';
import { tagStage } from './rules/tag.stage';
import { TimelineService } from './timeline/timeline.service';
import { type Clock, systemClock } from './util/clock';

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
 * One running Persona: the object graph built from config. `start` migrates, sets up plugins, starts the worker and
 * jobs and listens; `stop` undoes it in reverse, letting in-flight requests and the current worker batch finish.
 * Holds no logic of its own.
 */
export class Persona {
  readonly db: Database;
  readonly engine: RuleEngine;
  readonly rules: RulesProvider;
  readonly migrator: Migrator;
  readonly metrics = new Metrics();
  readonly inbox: InboxService;
  readonly profiles: ProfileService;
  readonly subscriptions: SubscriptionService;
  readonly attributes: AttributeService;
  readonly deliveryReports: DeliveryReportService;
  readonly timeline: TimelineService;
  readonly pipeline: EventPipeline;
  readonly worker: InboxWorker;
  readonly tags: TagService;
  readonly outbox: WebhookOutbox;
  readonly webhooks: WebhookDeliveryWorker;
  readonly merger: ProfileMerger;
  readonly segments: SegmentService;
  readonly jobs: JobScheduler;
  readonly plugins: PluginHost;
  readonly credentials: CredentialStore;
  readonly pushEngine: PushEngine;
  readonly bot: OperatorBot;
  readonly pushes: PushService;
  readonly pushWorker: PushDeliveryWorker;
  /** What each room keeps about a person (export and erasure). */
  readonly personData: readonly PersonDataHandler[];
  readonly personExport: PersonDataExport;
  readonly http: Koa<AppState>;
  private server: Server | undefined;
  private state: 'new' | 'starting' | 'started' | 'stopping' | 'stopped' = 'new';

  constructor(
    readonly config: Config,
    readonly log: Logger,
    private readonly options: PersonaOptions = {},
  ) {
    const clock = options.clock ?? systemClock;
    const loadedPlugins = loadPlugins(config);
    this.db = new Database({
      url: config.database.url,
      poolMax: config.database.poolMax,
      logQueries: config.database.logQueries,
      log,
    });
    this.migrator = createMigrator(this.db, log);
    this.inbox = new InboxService(this.db, clock);
    this.subscriptions = new SubscriptionService(this.db);
    this.timeline = new TimelineService(this.db);
    this.attributes = new AttributeService(
      this.db,
      this.timeline,
      { default: config.attributes.precedence, byAttribute: config.attributes.precedenceByAttribute },
      clock,
    );
    this.outbox = new WebhookOutbox(this.db, config.webhooks.subscribers, clock);
    this.timeline.onAppend(this.outbox.enqueue);
    this.webhooks = new WebhookDeliveryWorker(
      this.db,
      this.outbox,
      config.webhooks,
      log.child({ room: 'webhooks' }),
      this.metrics,
      clock,
    );
    this.engine = new RuleEngine({
      config,
      db: this.db,
      timeline: this.timeline,
      metrics: this.metrics,
      log: log.child({ room: 'rules' }),
      clock,
      readRules: options.readRules ?? (() => config.rules),
    });
    this.rules = this.engine.provider;
    this.tags = this.engine.tags;
    this.profiles = new ProfileService(this.db, this.subscriptions, this.attributes, this.tags);
    this.deliveryReports = new DeliveryReportService(this.db, clock);
    // Every room that keeps data about people says which tables, and how to export, merge and erase a person's rows
    // there. Erasure runs them in this order: the inbox before the timeline (whose source keys find its rows), the
    // profiles room last (the others find theirs by the person's identities).
    this.personData = [
      inboxPersonData(this.db),
      pushPersonData(this.db),
      botAuditPersonData(this.db),
      aiPersonData(this.db),
      timelinePersonData(this.db),
      rulesPersonData(this.db),
      segmentPersonData(this.db),
      webhookPersonData(this.db),
      profilePersonData(this.db, (name, survivor, absorbed) =>
        this.attributes.prevailsInMerge(name, absorbed, survivor),
      ),
    ];
    this.merger = new ProfileMerger(
      this.db,
      this.timeline,
      this.personData.flatMap((handler) => (handler.merge ? [handler.merge] : [])),
      clock,
    );
    this.pipeline = new EventPipeline(
      this.db,
      this.inbox,
      new ProfileResolver(this.db, this.merger, config.identities, clock),
      this.timeline,
      clock,
    );
    this.pipeline.use(profileStateStage(this.db, this.subscriptions, this.attributes, clock));
    this.pipeline.use(tagStage(this.tags));
    this.worker = new InboxWorker(
      this.inbox,
      this.pipeline,
      {
        ...config.ingest.worker,
        entriesPerTransaction: config.ingest.worker.entriesPerTransaction ?? (this.db.isMysql ? 100 : 1),
      },
      log.child({ room: 'ingest' }),
      this.metrics,
    );
    const leases = new JobLeaseService(this.db, clock);
    this.jobs = new JobScheduler(
      leases,
      { leaseMs: config.jobs.leaseMs, timezone: config.timezone },
      log.child({ room: 'jobs' }),
      this.metrics,
      clock,
    );
    this.jobs.register(inboxPurgeJob(this.inbox, config.ingest.inboxRetentionHours));
    this.jobs.register(jobHistoryPurgeJob(leases, config.jobs.historyRetentionDays));
    this.segments = new SegmentService(
      this.db,
      clock,
      () => this.rules.current.labels,
      () => this.plugins.vocabularies.list().flatMap((vocabulary) => vocabulary.eventTypes.map((entry) => entry.type)),
    );
    this.jobs.register(segmentCountsJob(this.segments, config.timezone));
    this.engine.attach(this.pipeline, this.jobs);

    this.credentials = new CredentialStore(this.db, {}, clock);
    const authenticator = new Authenticator(config.auth);
    const eraser = new ProfileEraser(this.db, clock, this.personData);
    this.personExport = new PersonDataExport(this.db, this.personData, clock);
    const pluginRoutes = new RouteRegistry(authenticator);
    this.plugins = new PluginHost(loadedPlugins, {
      log,
      settings: { timezone: config.timezone, locale: config.locale },
      clock,
      routes: pluginRoutes,
      jobs: this.jobs,
      submit: (source, events) => this.accept(source, events),
      recordDeliveryReport: (source, report) => this.deliveryReports.record(source, report),
      attributesOf: (identity) => this.attributes.valuesForIdentity(identity),
      credentials: this.credentials,
      enricher: new ProfileEnricher(this.db, this.attributes, clock),
    });
    this.pushEngine = new PushEngine({
      config,
      db: this.db,
      timeline: this.timeline,
      segments: this.segments,
      senders: this.plugins.pushSenders,
      accounts: this.plugins.pushAccounts,
      credentials: this.credentials,
      accept: async (source, events) => {
        await this.accept(source, events);
      },
      metrics: this.metrics,
      log,
      clock,
    });
    this.pushEngine.attach(this.timeline, this.jobs, this.segments);
    this.pushes = this.pushEngine.service;
    this.pushWorker = this.pushEngine.worker;
    const model = new LanguageModel(config.ai, log.child({ room: 'ai' }), clock);
    if (config.ai.classification.enabled) {
      if (model.enabled)
        this.jobs.register(
          interestClassificationJob(
            new InterestClassification(
              this.db,
              model,
              this.tags,
              this.rules,
              { ...config.ai.classification, timezone: config.timezone },
              clock,
            ),
          ),
        );
      else log.warn('ai.classification is enabled but no OPENAI_API_KEY is set: follower messages are not classified');
    }
    this.bot = new OperatorBot({
      config,
      db: this.db,
      services: {
        segments: this.segments,
        profiles: this.profiles,
        timeline: this.timeline,
        explainer: this.engine.explainer,
        rules: this.rules,
        rulesPreview: this.engine.preview,
        operatorTags: this.engine.operatorTags,
        stats: new AudienceStats(this.db),
        pushes: this.pushes,
        wakePushes: () => this.pushWorker.wake(),
        timezone: config.timezone,
        clock,
      },
      model,
      pluginCommands: this.plugins.commands,
      ...(options.botPuppet ? { puppet: options.botPuppet } : {}),
      log,
      clock,
    });
    this.metrics.gauge('persona_inbox_depth', 'Inbox rows waiting to be processed', () =>
      this.inbox.depth().catch(() => Number.NaN),
    );
    this.metrics.gauge('persona_webhook_outbox_depth', 'Outbound webhook deliveries not yet delivered', () =>
      this.outbox.depth().catch(() => Number.NaN),
    );
    this.http = createHttpApp({
      log,
      metrics: this.metrics,
      trustProxy: config.server.trustProxy,
      pluginRoutes,
      routers: apiRouters(this, {
        authenticator,
        eraser,
        clock,
        log,
        shuttingDown: () => this.state === 'stopping' || this.state === 'stopped',
      }),
    });
    if (!authenticator.hasAdminToken) {
      log.warn('ADMIN_TOKEN is not set: the admin API refuses every request');
    }
  }

  /**
   * Durably stores inbound events (the only work done before an HTTP answer) and wakes the worker; answers how many
   * the inbox already held.
   */
  async accept(source: string, events: InboundEvent[]): Promise<{ duplicates: number }> {
    const written = await this.inbox.write(source, events);
    this.worker.wake();
    return written;
  }

  /** `listen: false`: no HTTP server; `wechaty: false`: no WeChat connection for the bot (the console). */
  async start(options: { listen?: boolean; wechaty?: boolean } = {}): Promise<void> {
    if (this.state !== 'new') throw new Error(`Persona can't start from state ${this.state}`);
    this.state = 'starting';
    await this.db.ping();
    if (this.config.database.migrateOnStart) await withMigrationLock(this.db, () => this.migrator.up());
    await this.plugins.setup();
    await this.plugins.start();
    await this.rules.start(new RuleVersionStore(this.db), this.options.watchFiles);
    // Automations are read before the inbox worker runs, so no trigger is processed unseen.
    await this.pushEngine.start(this.config.pushes.worker.enabled);
    if (this.config.jobs.enabled) await this.jobs.start();
    if (this.config.ingest.worker.enabled) this.worker.start();
    // Nobody subscribed: nothing is ever queued, so no instance polls the outbox for nothing.
    if (this.config.webhooks.enabled && this.config.webhooks.subscribers.length > 0) this.webhooks.start();
    if (options.listen !== false) await this.listen();
    // In the background: the server never waits for (or depends on) the WeChat connection.
    if (options.wechaty !== false) this.bot.start();
    this.state = 'started';
  }

  /** Base URL of the listening server. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('not listening');
    const host = ['0.0.0.0', '::'].includes(address.address) ? 'localhost' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  private listen(): Promise<void> {
    const server = this.http.listen(this.config.server.port, this.config.server.host);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  }

  /** Graceful: stop accepting, finish in-flight requests (up to the timeout), the worker's batch and jobs, close the DB. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') throw new Error('Persona is already stopping');
    const wasStarted = this.state !== 'new';
    this.state = 'stopping';
    if (this.server) await closeServer(this.server, this.config.server.shutdownTimeoutMs);
    this.rules.stop();
    await this.bot.stop();
    if (wasStarted) {
      await this.worker.stop().catch(() => undefined);
      await this.webhooks.stop().catch(() => undefined);
      await this.pushEngine.stop();
      await this.jobs.stop();
      await this.plugins.stop().catch((error: unknown) => this.log.error({ err: error }, 'stopping plugins failed'));
    }
    await this.db.close();
    this.state = 'stopped';
  }
}

import type { Logger } from 'pino';
import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { Lifecycle, RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { NoticeBoard } from '../notices/notice-board';
import type { Metrics } from '../metrics/metrics';
import type { Clock } from '../util/clock';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookOutbox } from './webhook-outbox.repository';
import { webhookPersonData } from './webhook-person-data';

export const webhooksRoom: RoomDefinition = { room: 'webhooks', tables: ['webhook_deliveries'], surface: [] };

/**
 * The webhooks room: timeline events subscribers asked for are queued in the appending transaction (the outbox) and
 * delivered, signed, by a worker with retries.
 */
export class WebhooksModule implements RoomModule {
  readonly definition = webhooksRoom;
  readonly outbox: WebhookOutbox;
  readonly worker: WebhookDeliveryWorker;
  readonly contributes: RoomContributions;
  readonly lifecycle: Lifecycle;

  constructor(deps: {
    config: Config;
    db: Database;
    log: Logger;
    metrics: Metrics;
    clock: Clock;
    notices?: NoticeBoard;
  }) {
    const { config, db, clock } = deps;
    this.outbox = new WebhookOutbox(db, config.webhooks.subscribers, clock);
    this.worker = new WebhookDeliveryWorker(
      db,
      this.outbox,
      config.webhooks,
      deps.log.child({ room: 'webhooks' }),
      deps.metrics,
      clock,
      deps.notices,
    );
    this.contributes = {
      timelineListeners: [this.outbox.enqueue],
      personData: webhookPersonData(db),
      gauges: [
        {
          name: 'persona_webhook_outbox_depth',
          help: 'Outbound webhook deliveries not yet delivered',
          read: () => this.outbox.depth(),
        },
      ],
    };
    this.lifecycle = {
      start: async () => {
        // Nobody subscribed: nothing is ever queued, so no instance polls the outbox for nothing.
        if (config.webhooks.enabled && config.webhooks.subscribers.length > 0) this.worker.start();
      },
      stop: () => this.worker.stop().catch(() => undefined),
    };
  }
}

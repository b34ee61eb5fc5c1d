import type { Database } from '../db/database';
import type { Clock } from '../util/clock';

/** What a channel reports back about sends it made: a mass job's counts, a template message's status. */
export interface DeliveryReport {
  /** `mass` or `template` for WeChat; channels may add their own. */
  kind: string;
  /** The channel's id for the send (WeChat's MsgID). */
  externalId: string;
  /** `success`, `sendsuccess`, `failed:user block`…, as the channel words it. */
  status: string;
  /** The recipient, when the report is about one (a template message's openid). */
  recipient?: string;
  details: Record<string, unknown>;
  occurredAt: Date;
}

export interface StoredDeliveryReport extends DeliveryReport {
  source: string;
}

/**
 * Stores delivery reports for the push engine to reconcile against its deliveries. Durable before the channel's
 * webhook is answered; a report the channel sends again is stored once.
 */
export class DeliveryReportService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Answers false when this report was already stored. */
  async record(source: string, report: DeliveryReport): Promise<boolean> {
    const now = this.clock();
    const stored = await this.db.execute(
      `${this.db.insertIgnoreInto} delivery_reports (source, kind, external_id, status, recipient, details, occurred_at, received_at)
       VALUES (:source, :kind, :externalId, :status, :recipient, :details, :occurredAt, :now)`,
      {
        source,
        kind: report.kind,
        externalId: report.externalId,
        status: report.status.slice(0, 128),
        recipient: report.recipient ?? null,
        details: JSON.stringify(report.details),
        occurredAt: report.occurredAt,
        now,
      },
    );
    return stored > 0;
  }

  async list(source: string, kind: string): Promise<StoredDeliveryReport[]> {
    const rows = await this.db.select<{
      source: string;
      kind: string;
      external_id: string;
      status: string;
      recipient: string | null;
      details: string | null;
      occurred_at: unknown;
    }>(
      'SELECT source, kind, external_id, status, recipient, details, occurred_at FROM delivery_reports WHERE source = :source AND kind = :kind ORDER BY id',
      { source, kind },
    );
    return rows.map((row) => ({
      source: row.source,
      kind: row.kind,
      externalId: row.external_id,
      status: row.status,
      ...(row.recipient ? { recipient: row.recipient } : {}),
      details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {},
      occurredAt: this.db.parseTime(row.occurred_at) ?? new Date(0),
    }));
  }
}

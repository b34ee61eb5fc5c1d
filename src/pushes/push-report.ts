import { countEventsWithNumber } from '../timeline/timeline-lookups';
import type { Database } from '../db/database';

/** Where a push stands: its recipients by status, channel, reason and WeChat code; progress; what WeChat reported. */
export interface PushReport {
  recipients: number;
  byStatus: Record<string, number>;
  /** Sent and failed recipients per channel. */
  byChannel: Record<string, { sent: number; failed: number; pending: number }>;
  skipped: Record<string, number>;
  deferred: Record<string, number>;
  /** Failures by WeChat's error code. */
  failed: Record<string, number>;
  /** Sends found in flight after a crash: recorded as sent, not repeated. */
  unconfirmed: number;
  /** Tracked links followed: clicks recorded (one per person, link and minute) and how many people clicked. */
  clicks: { events: number; people: number };
  /** Recipients settled per minute (UTC), oldest first. */
  progress: { minute: string; sent: number; failed: number; skipped: number }[];
  /** WeChat's own counts: mass sends (MASSSENDJOBFINISH) and template messages (TEMPLATESENDJOBFINISH) reported so far. */
  reported: {
    mass: {
      batches: number;
      reported: number;
      totalCount: number;
      sentCount: number;
      errorCount: number;
      filterCount: number;
    };
    template: { sent: number; reported: number; byStatus: Record<string, number> };
  };
}

const pendingStatuses = new Set(['queued', 'sending', 'deferred']);

/** Reads a push's report: a few grouped queries over its deliveries, batches and the channel's delivery reports. */
export async function pushReport(db: Database, pushId: number): Promise<PushReport> {
  const [groups, progress, batches, massReports, templateReports, clicks] = await Promise.all([
    db.select<{ status: string; channel: string | null; reason: string | null; error_code: string | null; n: number }>(
      'SELECT status, channel, reason, error_code, COUNT(*) AS n FROM push_deliveries WHERE push_id = ? GROUP BY status, channel, reason, error_code',
      [pushId],
    ),
    db.select<{ minute: string; status: string; n: number }>(
      `SELECT SUBSTR(finished_at, 1, 16) AS minute, status, COUNT(*) AS n FROM push_deliveries
        WHERE push_id = ? AND finished_at IS NOT NULL AND status IN ('sent', 'failed', 'skipped') GROUP BY SUBSTR(finished_at, 1, 16), status`,
      [pushId],
    ),
    db.select<{ n: number }>("SELECT COUNT(*) AS n FROM push_batches WHERE push_id = ? AND status = 'sent'", [pushId]),
    db.select<{ details: string | null }>(
      `SELECT r.details FROM delivery_reports r JOIN push_batches b ON b.external_id = r.external_id
        WHERE b.push_id = ? AND r.kind = 'mass'`,
      [pushId],
    ),
    db.select<{ status: string; n: number }>(
      `SELECT r.status, COUNT(*) AS n FROM delivery_reports r JOIN push_deliveries d ON d.external_id = r.external_id
        WHERE d.push_id = ? AND d.channel = 'template' AND r.kind = 'template' GROUP BY r.status`,
      [pushId],
    ),
    countEventsWithNumber(db, { type: 'push_click', name: 'pushId', value: pushId }),
  ]);
  const report: PushReport = {
    recipients: 0,
    byStatus: {},
    byChannel: {},
    skipped: {},
    deferred: {},
    failed: {},
    unconfirmed: 0,
    clicks,
    progress: [],
    reported: {
      mass: {
        batches: Number(batches[0]?.n ?? 0),
        reported: 0,
        totalCount: 0,
        sentCount: 0,
        errorCount: 0,
        filterCount: 0,
      },
      template: { sent: 0, reported: 0, byStatus: {} },
    },
  };
  const add = (counts: Record<string, number>, key: string, n: number) => {
    counts[key] = (counts[key] ?? 0) + n;
  };
  for (const group of groups) {
    const n = Number(group.n);
    report.recipients += n;
    add(report.byStatus, group.status, n);
    if (group.channel && (group.status === 'sent' || group.status === 'failed' || pendingStatuses.has(group.status))) {
      const channel = (report.byChannel[group.channel] ??= { sent: 0, failed: 0, pending: 0 });
      if (group.status === 'sent') channel.sent += n;
      else if (group.status === 'failed') channel.failed += n;
      else channel.pending += n;
    }
    if (group.status === 'skipped' && group.reason) add(report.skipped, group.reason, n);
    if (group.status === 'deferred' && group.reason) add(report.deferred, group.reason, n);
    if (group.status === 'failed') add(report.failed, group.error_code ?? 'unknown', n);
    if (group.status === 'sent' && group.error_code === 'unconfirmed') report.unconfirmed += n;
    if (group.status === 'sent' && group.channel === 'template') report.reported.template.sent += n;
  }
  const minutes = new Map<string, PushReport['progress'][number]>();
  for (const row of progress) {
    const minute = `${String(row.minute).replace(' ', 'T')}:00Z`;
    const entry = minutes.get(minute) ?? { minute, sent: 0, failed: 0, skipped: 0 };
    entry[row.status as 'sent' | 'failed' | 'skipped'] += Number(row.n);
    minutes.set(minute, entry);
  }
  report.progress = [...minutes.values()].sort((a, b) => a.minute.localeCompare(b.minute));
  for (const row of massReports) {
    const details = row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {};
    const mass = report.reported.mass;
    mass.reported += 1;
    mass.totalCount += Number(details.totalCount ?? 0);
    mass.sentCount += Number(details.sentCount ?? 0);
    mass.errorCount += Number(details.errorCount ?? 0);
    mass.filterCount += Number(details.filterCount ?? 0);
  }
  for (const row of templateReports) {
    report.reported.template.reported += Number(row.n);
    add(report.reported.template.byStatus, row.status, Number(row.n));
  }
  return report;
}

/** Pushes confirmed since `since`, and recipients decided since then (of any push) that were sent or failed. */
export async function pushActivitySince(
  db: Database,
  since: Date,
  until: Date = new Date(8.64e15),
): Promise<{ confirmed: number; sent: number; failed: number }> {
  const [[pushes], deliveries] = await Promise.all([
    db.select<{ n: number }>('SELECT COUNT(*) AS n FROM pushes WHERE confirmed_at >= ? AND confirmed_at < ?', [
      since,
      until,
    ]),
    db.select<{ status: string; n: number }>(
      "SELECT status, COUNT(*) AS n FROM push_deliveries WHERE decided_at >= ? AND decided_at < ? AND status IN ('sent', 'failed') GROUP BY status",
      [since, until],
    ),
  ]);
  const count = (status: string) => Number(deliveries.find((row) => row.status === status)?.n ?? 0);
  return { confirmed: Number(pushes.n), sent: count('sent'), failed: count('failed') };
}

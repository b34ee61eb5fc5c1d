import type { BotLocale } from './bot-command.types';
import type { PushPlan } from '../pushes/push-planner';
import type { PushReport } from '../pushes/push-report';
import type { PushView } from '../pushes/push.service';
import { formatCount, hasMessage, type Translate, translator } from './message-catalog';
import { formatOperatorTime } from './operator-time';

/** A channel, delivery status or skip reason as operators read it (the code itself when the catalogue has none). */
function nameOf(t: Translate, code: string): string {
  const key = `push.name.${code}`;
  return hasMessage(key) ? t(key) : code;
}

const counter = (t: Translate) => (entries: Record<string, number | undefined>) =>
  Object.entries(entries)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([name, count]) => `${nameOf(t, name)} ${formatCount(count ?? 0)}`)
    .join(' · ');

/** A push's plan for chat: the audience, recipients per channel, who waits and who is skipped, and why. */
export function planSummary(
  push: PushView,
  plan: PushPlan,
  shown: { locale: BotLocale; timezone: string; now: Date },
): string {
  const { locale } = shown;
  const t = translator(locale);
  const counts = counter(t);
  const audience =
    push.audience.segment !== null
      ? `segment:${push.audience.segment}`
      : (push.audience.expression ?? t('push.everyone'));
  const lines = [
    t('push.planTitle', { id: push.id, name: push.name }),
    t('push.audience', { audience, count: formatCount(plan.audience) }),
    t('push.channels', { channels: counts(plan.channels) || '—' }),
  ];
  if (plan.deferred.quiet_hours > 0) lines.push(t('push.deferred', { count: formatCount(plan.deferred.quiet_hours) }));
  const skipped = counts(plan.skipped);
  if (skipped) lines.push(t('push.skipped', { reasons: skipped }));
  if (push.sendAt)
    lines.push(t('push.sendAt', { at: formatOperatorTime(new Date(push.sendAt), shown.timezone, locale, shown.now) }));
  return lines.join('\n');
}

/** Where a push stands: status, recipients by status, channel, skip reason and failure code, and WeChat's counts. */
export function reportSummary(push: PushView, report: PushReport, locale: BotLocale): string {
  const t = translator(locale);
  const counts = counter(t);
  const lines = [t('status.title', { id: push.id, name: push.name, status: t(`status.${push.status}`) })];
  if (push.status === 'planned') {
    lines.push(t('status.notConfirmed', { count: formatCount(push.plan.audience) }));
    return lines.join('\n');
  }
  lines.push(
    t('status.recipients', { count: formatCount(report.recipients), statuses: counts(report.byStatus) || '—' }),
  );
  const channels = Object.entries(report.byChannel).map(
    ([channel, entry]) =>
      `${nameOf(t, channel)} ${formatCount(entry.sent)}/${formatCount(entry.sent + entry.failed + entry.pending)}`,
  );
  if (channels.length > 0) lines.push(t('status.channels', { channels: channels.join(' · ') }));
  const skipped = counts(report.skipped);
  if (skipped) lines.push(t('push.skipped', { reasons: skipped }));
  const failed = counts(report.failed);
  if (failed) lines.push(t('status.failed', { codes: failed }));
  if (report.reported.mass.reported > 0) {
    const mass = report.reported.mass;
    lines.push(
      t('status.wechatMass', {
        sent: formatCount(mass.sentCount),
        errors: formatCount(mass.errorCount),
        batches: `${mass.reported}/${mass.batches}`,
      }),
    );
  }
  return lines.join('\n');
}

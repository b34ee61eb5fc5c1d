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

/** Who a plan says receives it: those its channels reach now, and those waiting for quiet hours to end. */
export function expectedReceivers(plan: PushPlan): number {
  return Object.values(plan.channels).reduce((sum, count) => sum + count, plan.deferred.quiet_hours);
}

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
    t('push.audience', { audience, count: plan.audience }),
    t('push.channels', { channels: counts(plan.channels) || '—' }),
  ];
  if (plan.deferred.quiet_hours > 0) lines.push(t('push.deferred', { count: plan.deferred.quiet_hours }));
  const skipped = counts(plan.skipped);
  if (skipped) lines.push(t('push.skipped', { reasons: skipped }));
  const at = (time: string) => formatOperatorTime(new Date(time), shown.timezone, locale, shown.now);
  if (push.sendAt) lines.push(t('push.sendAt', { at: at(push.sendAt) }));
  lines.push(...contentLines(t, plan));
  if (push.expiresAt && push.status === 'planned') lines.push(t('push.expiresAt', { at: at(push.expiresAt) }));
  return lines.join('\n');
}

/**
 * What recipients will read, per channel that reaches someone: the text as it goes out (filled for one of them, or
 * with the fallbacks for a mass send), its length and links, and how the placeholders fill.
 */
function contentLines(t: Translate, plan: PushPlan): string[] {
  const messages = plan.messages ?? [];
  if (messages.length === 0) return [];
  const lines = [t('push.content')];
  for (const message of messages) {
    const channel = nameOf(t, message.channel);
    const head =
      message.sampleProfileId === null
        ? t('push.message.fallbacks', { channel, length: message.length })
        : t('push.message.filled', { channel, id: message.sampleProfileId, length: message.length });
    if (message.kind === 'text') lines.push(head, message.text ?? '');
    else if (message.kind === 'template')
      lines.push(
        head,
        ...Object.entries(message.fields ?? {}).map(([field, value]) => t('push.message.field', { field, value })),
      );
    else lines.push(t('push.message.media', { channel, kind: t(`push.kind.${message.kind}`) }));
  }
  const links = [...new Set(messages.flatMap((message) => message.links))];
  if (links.length > 0)
    lines.push(
      t(messages[0].tracked ? 'push.links.tracked' : 'push.links.untracked', {
        count: links.length,
        links: links.join(' '),
      }),
    );
  for (const placeholder of plan.placeholders ?? []) {
    const name = placeholder.name;
    if (placeholder.holders === 0)
      lines.push(
        placeholder.fallback
          ? t('push.fallbackForEveryone', { name, fallback: placeholder.fallback })
          : t('push.emptyForEveryone', { name }),
      );
    else if (placeholder.holders < plan.audience && placeholder.fallback)
      lines.push(
        t('push.fallbackForSome', {
          name,
          holders: placeholder.holders,
          count: plan.audience,
          fallback: placeholder.fallback,
        }),
      );
  }
  return lines;
}

/** Where a push stands: status, recipients by status, channel, skip reason and failure code, and WeChat's counts. */
export function reportSummary(push: PushView, report: PushReport, locale: BotLocale): string {
  const t = translator(locale);
  const counts = counter(t);
  const lines = [
    t('status.title', { id: push.id, name: push.name, status: t(`status.${push.status}`, { id: push.id }) }),
  ];
  if (push.status === 'planned' || push.status === 'expired') {
    lines.push(t('status.notConfirmed', { count: push.plan.audience }));
    return lines.join('\n');
  }
  lines.push(t('status.recipients', { count: report.recipients, statuses: counts(report.byStatus) || '—' }));
  const channels = Object.entries(report.byChannel).map(
    ([channel, entry]) =>
      `${nameOf(t, channel)} ${formatCount(entry.sent)}/${formatCount(entry.sent + entry.failed + entry.pending)}`,
  );
  if (channels.length > 0) lines.push(t('status.channels', { channels: channels.join(' · ') }));
  const skipped = counts(report.skipped);
  if (skipped) lines.push(t('push.skipped', { reasons: skipped }));
  const failed = counts(report.failed);
  if (failed) lines.push(t('status.failed', { codes: failed }));
  if (report.clicks.events > 0)
    lines.push(t('status.clicks', { people: report.clicks.people, clicks: report.clicks.events }));
  if (report.reported.mass.reported > 0) {
    const mass = report.reported.mass;
    lines.push(
      t('status.wechatMass', {
        sent: mass.sentCount,
        errors: mass.errorCount,
        batches: `${mass.reported}/${mass.batches}`,
      }),
    );
  }
  return lines.join('\n');
}

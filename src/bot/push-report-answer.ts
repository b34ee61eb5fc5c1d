import { pushFunnelChart } from '../charts/chart-kinds';
import type { BotImage, BotLocale } from './bot-command.types';
import type { BotServices } from './bot-services';
import { reportSummary } from './push-summary';

/** Where a push stands, as text, with its funnel (recipients, sent, clicked) once it went out to someone. */
export async function pushReportAnswer(
  services: BotServices,
  id: number,
  locale: BotLocale,
): Promise<{ text: string; image?: BotImage }> {
  const [push, report] = await Promise.all([services.pushes.get(id), services.pushes.report(id)]);
  const text = reportSummary(push, report, locale);
  if (report.recipients === 0) return { text };
  const funnel = { recipients: report.recipients, sent: report.byStatus.sent ?? 0, clicked: report.clicks.people };
  return { text, image: await services.charts.draw(pushFunnelChart(push.id, funnel, locale)) };
}

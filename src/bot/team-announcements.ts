import type { Logger } from 'pino';
import type { NoticeBoard } from '../notices/notice-board';
import { isAlert, type Notice } from '../notices/notice.types';
import type { NamedRegistry } from '../util/named-registry';
import type { BotLocale } from './bot-command.types';
import type { ChatAnswer } from './bot-engine';
import type { BotServices } from './bot-services';
import type { Announcement, Announcer } from './chat-channel.types';
import { translator } from './message-catalog';
import { pushReportAnswer } from './push-report-answer';

/** The longest error text quoted in an alert (the rest is in the logs and the API). */
const maxErrorText = 300;

/**
 * Tells the announcers (WeCom group robots) what the notice board hears, rendered as the bot would say it: a finished
 * push with its report and funnel, an alert with what failed and where to look. Each announcer renders in its own
 * language; a rendering is made once per language.
 */
export class TeamAnnouncements {
  constructor(
    private readonly services: BotServices,
    private readonly announcers: NamedRegistry<Announcer>,
    private readonly log: Logger,
  ) {}

  /** Listens to `board`; answers the removal. */
  listen(board: NoticeBoard): () => void {
    return board.subscribe((notice, repeats) => this.announce(this.fromNotice(notice, repeats)));
  }

  /** Hands an announcement to every announcer (each queues and paces its own). */
  async announce(announcement: Announcement): Promise<void> {
    const announcers = this.announcers.list();
    if (announcers.length === 0) return;
    const renderings = new Map<BotLocale, Promise<ChatAnswer>>();
    const once: Announcement = {
      ...announcement,
      render: (locale) => {
        let rendering = renderings.get(locale);
        if (!rendering) {
          rendering = announcement.render(locale);
          renderings.set(locale, rendering);
        }
        return rendering;
      },
    };
    await Promise.all(
      announcers.map((announcer) =>
        announcer
          .announce(once)
          .catch((error: unknown) =>
            this.log.warn({ err: error, announcer: announcer.name }, 'an announcement could not be handed over'),
          ),
      ),
    );
  }

  /** Whether anyone listens (the digest job skips the team digest otherwise). */
  get listening(): boolean {
    return this.announcers.list().length > 0;
  }

  private fromNotice(notice: Notice, repeats: number): Announcement {
    return { kind: notice.kind, alert: isAlert(notice), render: (locale) => this.render(notice, repeats, locale) };
  }

  private async render(notice: Notice, repeats: number, locale: BotLocale): Promise<ChatAnswer> {
    const t = translator(locale);
    const more = repeats > 0 ? `\n${t('announce.repeats', { count: repeats })}` : '';
    const error = (text: string) => (text.length > maxErrorText ? `${text.slice(0, maxErrorText)}…` : text);
    switch (notice.kind) {
      case 'push.finished': {
        const report = await pushReportAnswer(this.services, notice.pushId, locale);
        return {
          replies: [`${t('announce.pushFinished', { id: notice.pushId })}\n${report.text}`],
          images: report.image ? [report.image] : [],
        };
      }
      case 'inbox.parked':
        return {
          replies: [
            t('announce.inboxParked', { source: notice.source, id: notice.entryId, error: error(notice.error) }) + more,
          ],
          images: [],
        };
      case 'webhook.dead_lettered':
        return {
          replies: [
            t('announce.webhookDeadLettered', {
              subscriber: notice.subscriber,
              id: notice.deliveryId,
              error: error(notice.error),
            }) + more,
          ],
          images: [],
        };
      case 'credential.unobtainable':
        return {
          replies: [t('announce.credentialUnobtainable', { name: notice.name, error: error(notice.error) }) + more],
          images: [],
        };
    }
  }
}

import type { Logger } from 'pino';
import { followerGrowthChart } from '../charts/chart-kinds';
import type { Database } from '../db/database';
import type { JobDefinition } from '../jobs/job.types';
import { localDate, localDayStart } from '../util/local-time';
import type { BotLocale } from './bot-command.types';
import type { ChatAnswer } from './bot-engine';
import type { BotServices } from './bot-services';
import { translator } from './message-catalog';
import type { OperatorDirectory } from './operator-directory';
import { shownStage } from './tag-names';
import type { TeamAnnouncements } from './team-announcements';

/** What an operator may subscribe to: the morning digest. */
export const digestTopic = 'daily';

/** Sends an answer to an operator's chat; false when no chat can reach them now (the digest is tried next morning). */
export type OperatorMessenger = (contact: string, answer: ChatAnswer) => Promise<boolean>;

const dayMs = 86_400_000;

/** Who the team's copy of the digest is recorded under in `bot_digests` (never an operator's contact). */
const teamDigest = '@team';

/**
 * The morning digest (`/subscribe daily`): at 09:00 in the account's time zone, each subscribed operator gets
 * yesterday's follows and unfollows, lifecycle moves, pushes and their results, with the 30-day follower chart. A row
 * per operator and day is written before sending, so one digest goes out whichever instances run the job.
 */
export class DailyDigest {
  constructor(
    private readonly db: Database,
    private readonly services: BotServices,
    private readonly operators: OperatorDirectory,
    private readonly send: OperatorMessenger,
    private readonly log: Logger,
    /** The team's channels (group robots) get the digest too, once a day. */
    private readonly team?: TeamAnnouncements,
  ) {}

  async subscribe(operator: string): Promise<boolean> {
    const added = await this.db.execute(
      `${this.db.insertIgnoreInto} bot_subscriptions (operator, topic, created_at) VALUES (?, ?, ?)`,
      [operator, digestTopic, this.services.clock()],
    );
    return added > 0;
  }

  async unsubscribe(operator: string): Promise<boolean> {
    return (
      (await this.db.execute('DELETE FROM bot_subscriptions WHERE operator = ? AND topic = ?', [
        operator,
        digestTopic,
      ])) > 0
    );
  }

  /** The job that sends it, every day at 09:00 local. */
  job(): JobDefinition {
    return {
      name: 'bot.daily-digest',
      schedule: '0 9 * * *',
      run: async ({ tick }) => void (await this.sendAll(tick)),
    };
  }

  /** Sends the digest for the day of `tick` to every subscriber who hasn't had it (their chat permitting). */
  async sendAll(tick: Date): Promise<number> {
    const day = localDate(tick, this.services.timezone);
    const subscribers = await this.db.select<{ operator: string }>(
      'SELECT operator FROM bot_subscriptions WHERE topic = ? ORDER BY operator',
      [digestTopic],
    );
    let sent = 0;
    for (const { operator } of subscribers) {
      const who = this.operators.find({ id: operator });
      // No longer an operator: nothing goes out (their subscription stays, should they come back).
      if (!who) continue;
      const claimed = await this.db.execute(
        `${this.db.insertIgnoreInto} bot_digests (operator, day, sent_at) VALUES (?, ?, ?)`,
        [operator, day, this.services.clock()],
      );
      if (claimed === 0) continue;
      const delivered = await this.compose(who.locale, tick)
        .then((answer) => this.send(operator, answer))
        .catch((error: unknown) => {
          this.log.warn({ err: error, operator: who.name }, 'daily digest failed');
          return false;
        });
      if (delivered) sent += 1;
      else await this.db.execute('DELETE FROM bot_digests WHERE operator = ? AND day = ?', [operator, day]);
    }
    await this.announceToTeam(day, tick);
    return sent;
  }

  /** The team's copy, handed to the announcers once a day (a row under the name `team` says it was). */
  private async announceToTeam(day: string, tick: Date): Promise<void> {
    if (!this.team?.listening) return;
    const claimed = await this.db.execute(
      `${this.db.insertIgnoreInto} bot_digests (operator, day, sent_at) VALUES (?, ?, ?)`,
      [teamDigest, day, this.services.clock()],
    );
    if (claimed === 0) return;
    await this.team.announce({ kind: 'digest', alert: false, render: (locale) => this.compose(locale, tick) });
  }

  /** The digest of the day before `tick`'s, as an operator reading `locale` reads it. */
  async compose(locale: BotLocale, tick: Date): Promise<ChatAnswer> {
    const { services } = this;
    const t = translator(locale);
    const timezone = services.timezone;
    const today = localDayStart(tick, timezone);
    const yesterday = localDayStart(new Date(today.getTime() - dayMs / 2), timezone);
    const [growth, moves, pushes] = await Promise.all([
      services.stats.followerGrowth(tick, timezone),
      services.timeline.countByProperty({ type: 'lifecycle_changed', name: 'to', from: yesterday, to: today }),
      services.pushes.activitySince(yesterday, today),
    ]);
    const day = localDate(yesterday, timezone);
    const counted = growth.find((entry) => entry.day === day) ?? { follows: 0, unfollows: 0 };
    const labels = services.rules.current.labels;
    const lines = [
      t('digest.title', { day: day.slice(5) }),
      t('digest.followers', { follows: counted.follows, unfollows: counted.unfollows }),
      t('digest.lifecycle', {
        moves: moves.map((move) => `${shownStage(labels, move.value, locale)} +${move.count}`).join(' · ') || '—',
      }),
      t('digest.pushes', { pushes: pushes.confirmed, sent: pushes.sent, failed: pushes.failed }),
    ];
    const image = await services.charts.draw(followerGrowthChart(growth, locale));
    return { replies: [lines.join('\n')], images: [image] };
  }
}

import type { Transaction } from 'sequelize';
import type { TimelineService } from '../timeline/timeline.service';
import type { RuleSet } from './rule-set';
import { type ScoreChange, totalOf } from './scoring.service';

/** Crossing a configured score level, either way, as a `score_crossed` timeline event (and so an outbound webhook). */
export class ScoreThresholds {
  constructor(private readonly timeline: TimelineService) {}

  /** Records every threshold `change` crosses, answering how many; `key` makes the events idempotent. */
  async record(
    profileId: number,
    change: ScoreChange,
    rules: RuleSet,
    now: Date,
    key: string,
    transaction: Transaction,
  ): Promise<number> {
    let crossed = 0;
    for (const threshold of rules.document.thresholds) {
      const pick = (points: ReadonlyMap<string, number>) =>
        threshold.score === 'total' ? totalOf(points) : (points.get(threshold.score) ?? 0);
      const before = pick(change.before);
      const after = pick(change.after);
      const direction =
        before < threshold.at && after >= threshold.at
          ? 'up'
          : before >= threshold.at && after < threshold.at
            ? 'down'
            : null;
      if (!direction) continue;
      await this.timeline.append(
        {
          profileId,
          type: 'score_crossed',
          channel: null,
          source: 'persona',
          sourceKey: `${key}:score:${threshold.score}:${threshold.at}:${direction}`.slice(0, 191),
          occurredAt: now,
          receivedAt: now,
          properties: {
            score: threshold.score,
            threshold: threshold.at,
            direction,
            points: Math.round(after * 100) / 100,
          },
        },
        transaction,
      );
      crossed += 1;
    }
    return crossed;
  }
}

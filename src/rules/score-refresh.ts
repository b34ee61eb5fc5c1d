import type { Database } from '../db/database';
import { lockProfiles } from '../profiles/live-profile';
import type { RuleSet } from './rule-set';
import { decayFactor } from './score-decay';
import type { ScoreThresholds } from './score-thresholds';

interface ScoreRow {
  id: number;
  profile_id: number;
  score_group: string;
  points: number;
  updated_at: unknown;
}

export interface RefreshProgress {
  profiles: number;
  crossings: number;
}

/**
 * Fades every stored score to one moment, a batch of profiles per transaction, so what segments compare
 * (`score >= 90`) is the score as of that moment for everyone; crossing a threshold on the way down is recorded like
 * any other crossing. Idempotent for a given moment (a row already faded to it stays as it is), so an interrupted
 * run is simply run again.
 */
export class ScoreRefresh {
  constructor(
    private readonly db: Database,
    private readonly thresholds: ScoreThresholds,
  ) {}

  async run(
    rules: RuleSet,
    now: Date,
    key: string,
    options: { batchSize: number; signal?: AbortSignal; onBatch?: (progress: RefreshProgress) => void },
  ): Promise<RefreshProgress> {
    const progress: RefreshProgress = { profiles: 0, crossings: 0 };
    for (let after = 0; !options.signal?.aborted;) {
      const ids = (
        await this.db.select<{ profile_id: number }>(
          'SELECT DISTINCT profile_id FROM scores WHERE profile_id > ? ORDER BY profile_id LIMIT ?',
          [after, options.batchSize],
        )
      ).map((row) => Number(row.profile_id));
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      progress.crossings += await this.db.transaction(async (transaction) => {
        // A profile's scores are written under its row lock (as the pipeline does), so an event scored meanwhile
        // waits instead of being overwritten by this batch.
        await lockProfiles(this.db, ids, transaction);
        const rows = await this.db.select<ScoreRow>(
          'SELECT id, profile_id, score_group, points, updated_at FROM scores WHERE profile_id IN (:ids)',
          { ids },
          transaction,
        );
        const byProfile = new Map<number, ScoreRow[]>();
        for (const row of rows)
          byProfile.set(Number(row.profile_id), [...(byProfile.get(Number(row.profile_id)) ?? []), row]);
        const faded = rows.map((row) => ({
          row,
          points:
            Number(row.points) *
            decayFactor(this.db.parseTime(row.updated_at) ?? now, now, rules.halfLifeOf(row.score_group)),
        }));
        await this.db.execute(
          `INSERT INTO scores (id, profile_id, score_group, points, updated_at) VALUES ${faded.map(() => '(?, ?, ?, ?, ?)').join(', ')}${this.db.onConflictUpdate(['id'], ['points', 'updated_at'])}`,
          faded.flatMap(({ row, points }) => [Number(row.id), Number(row.profile_id), row.score_group, points, now]),
          transaction,
        );
        let crossings = 0;
        const fadedById = new Map(faded.map(({ row, points }) => [Number(row.id), points]));
        for (const [profileId, held] of byProfile) {
          const before = new Map(held.map((row) => [row.score_group, Number(row.points)]));
          const afterFading = new Map(held.map((row) => [row.score_group, fadedById.get(Number(row.id)) ?? 0]));
          crossings += await this.thresholds.record(
            profileId,
            { before, after: afterFading },
            rules,
            now,
            `${key}:${profileId}`,
            transaction,
          );
        }
        return crossings;
      });
      progress.profiles += ids.length;
      options.onBatch?.(progress);
    }
    return progress;
  }
}

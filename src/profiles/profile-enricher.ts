import type { Database } from '../db/database';
import type { AttributeValue } from './attribute-catalog';
import { normalizeAttributes } from './attribute-catalog';
import type { AttributeService } from './attribute.service';
import type { Identity } from './identity';
import { normalizeIdentity } from './identity-normalizer';
import type { Clock } from '../util/clock';
import { liveProfileCondition } from './live-profile';

/** What enriching a known person did: `unknown` (nobody has that identity), `conflict` (an identity is someone else's). */
export type EnrichOutcome = 'enriched' | 'unknown' | 'conflict';

/**
 * Facts a channel looks up about people it already knows (a WeChat follower's unionid and subscribe scene), written
 * onto their profile without a timeline event of their own: looking someone up is not something they did, so it
 * mustn't count as activity. New identities are linked only when nobody else holds them (joining two people is the
 * pipeline's job, from an event that names both); attributes go through the usual precedence, as `source`.
 */
export class ProfileEnricher {
  constructor(
    private readonly db: Database,
    private readonly attributes: AttributeService,
    private readonly clock: Clock,
  ) {}

  /** Followers of `account` whose profile lacks `attribute`, after `afterProfileId`, by profile id. */
  async followersWithout(
    account: string,
    attribute: string,
    options: { limit: number; afterProfileId?: number },
  ): Promise<{ profileId: number; openid: string }[]> {
    const rows = await this.db.select<{ profile_id: number; openid: string }>(
      `SELECT s.profile_id, (SELECT i.value FROM identities i WHERE i.profile_id = s.profile_id AND i.type = 'openid' AND i.scope = :account ORDER BY i.id LIMIT 1) AS openid
         FROM subscriptions s
        WHERE s.account = :account AND s.subscribed = :yes AND s.profile_id > :after
          AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.profile_id = s.profile_id AND a.name = :attribute)
        ORDER BY s.profile_id LIMIT :limit`,
      { account, attribute, after: options.afterProfileId ?? 0, limit: options.limit, yes: true },
    );
    return rows
      .filter((row) => row.openid !== null)
      .map((row) => ({ profileId: Number(row.profile_id), openid: row.openid }));
  }

  async enrich(
    identity: Identity,
    facts: { identities?: Identity[]; attributes?: Record<string, AttributeValue> },
    source: string,
  ): Promise<EnrichOutcome> {
    const { values, problems } = normalizeAttributes(facts.attributes ?? {}, this.clock());
    if (problems.length > 0)
      throw new Error(`enrich: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`);
    const links = (facts.identities ?? []).map((link) => {
      const normalized = normalizeIdentity(link.type, link.value, link.scope);
      if ('error' in normalized) throw new Error(`enrich: ${link.type}: ${normalized.error}`);
      return normalized;
    });
    return this.db.transaction(async (transaction) => {
      const [known] = await this.db.select<{ profile_id: number }>(
        `SELECT i.profile_id FROM identities i JOIN profiles p ON p.id = i.profile_id
          WHERE i.type = ? AND i.scope = ? AND i.value = ? AND ${liveProfileCondition('p')}`,
        [identity.type, identity.scope, identity.value],
        transaction,
      );
      if (!known) return 'unknown';
      const profileId = Number(known.profile_id);
      await this.db.select(`SELECT id FROM profiles WHERE id = ?${this.db.forUpdate}`, [profileId], transaction);
      const now = this.clock();
      let outcome: EnrichOutcome = 'enriched';
      for (const link of links) {
        const [holder] = await this.db.select<{ profile_id: number }>(
          'SELECT profile_id FROM identities WHERE type = ? AND scope = ? AND value = ?',
          [link.type, link.scope, link.value],
          transaction,
        );
        if (!holder) {
          await this.db.execute(
            'INSERT INTO identities (profile_id, type, scope, value, created_at) VALUES (?, ?, ?, ?, ?)',
            [profileId, link.type, link.scope, link.value, now],
            transaction,
          );
        } else if (Number(holder.profile_id) !== profileId) {
          outcome = 'conflict';
        }
      }
      if (Object.keys(values).length > 0) {
        await this.attributes.apply(
          { profileId, values, source, at: now, key: `enrich:${source}:${profileId}:${now.getTime()}` },
          transaction,
        );
      }
      return outcome;
    });
  }
}

import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { maxChainedTerms } from '../db/sql-limits';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';
import { chunks } from '../util/chunks';
import type { PushPlan } from './push-planner';

/**
 * The pushes room's data about a person: the deliveries of pushes to them and WeChat's reports about those (by their
 * openid). On erasure pushes keep their counts, not the person: the openid a decision went to is forgotten,
 * and what wasn't sent yet won't be (a mass batch sent again after a crash leaves them out); WeChat's reports about a
 * template message to them keep their status for the push's report, without the recipient; and a plan's sample (the
 * masked people shown before confirmation) loses them.
 */
export function pushPersonData(db: Database): PersonDataHandler {
  return {
    name: 'pushes',
    tables: ['push_deliveries', 'delivery_reports'],
    async export(person, transaction) {
      const openids = person.identities
        .filter((identity) => identity.type === 'openid')
        .map((identity) => identity.value);
      return {
        push_deliveries: await rowsOfProfiles(db, 'push_deliveries', 'profile_id', person, transaction),
        delivery_reports:
          openids.length === 0
            ? []
            : await db.select(
                'SELECT * FROM delivery_reports WHERE recipient IN (:openids) ORDER BY id',
                { openids },
                transaction,
              ),
      };
    },
    async erase({ profileIds, identities }, transaction) {
      await db.execute(
        "UPDATE push_deliveries SET openid = NULL, status = CASE WHEN status IN ('queued', 'deferred') THEN 'cancelled' ELSE status END WHERE profile_id IN (:profileIds)",
        { profileIds },
        transaction,
      );
      const openids = identities.filter((identity) => identity.type === 'openid').map((identity) => identity.value);
      if (openids.length > 0)
        await db.execute(
          'UPDATE delivery_reports SET recipient = NULL WHERE recipient IN (:openids)',
          { openids },
          transaction,
        );
      await dropFromPlanSamples(db, profileIds, transaction);
    },
  };
}

/** Plans are few (one per push) and their samples small: the ones naming an id are found by text, then read whole. */
async function dropFromPlanSamples(
  db: Database,
  profileIds: readonly number[],
  transaction: Transaction,
): Promise<void> {
  const ids = new Set(profileIds);
  const plans = new Map<number, string>();
  for (const part of chunks(profileIds, maxChainedTerms)) {
    const rows = await db.select<{ id: number; plan: string }>(
      `SELECT id, plan FROM pushes WHERE ${part.map(() => 'plan LIKE ?').join(' OR ')}`,
      part.map((id) => `%"id":${id},%`),
      transaction,
    );
    for (const row of rows) plans.set(Number(row.id), row.plan);
  }
  for (const [id, text] of plans) {
    const plan = JSON.parse(text) as PushPlan;
    const sample = plan.sample.filter((entry) => !ids.has(entry.id));
    if (sample.length === plan.sample.length) continue;
    await db.execute('UPDATE pushes SET plan = ? WHERE id = ?', [JSON.stringify({ ...plan, sample }), id], transaction);
  }
}

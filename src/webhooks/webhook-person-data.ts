import type { Database } from '../db/database';
import type { PersonDataHandler } from '../profiles/person-data';

/**
 * The webhooks room's table about a person: announcements of their changes to the CRM, sent or waiting. Erased whole:
 * queued ones would carry their data (and are fetched with their identities).
 */
export function webhookPersonData(db: Database): PersonDataHandler {
  return {
    name: 'webhooks',
    tables: ['webhook_deliveries'],
    async export(person, transaction) {
      return {
        webhook_deliveries: await db.select(
          'SELECT id, subscriber, event_id, event_name, profile_id, payload, status, attempts, created_at, delivered_at FROM webhook_deliveries WHERE profile_id IN (:ids) ORDER BY id',
          { ids: person.profileIds },
          transaction,
        ),
      };
    },
    async erase({ profileIds }, transaction) {
      await db.execute('DELETE FROM webhook_deliveries WHERE profile_id IN (:profileIds)', { profileIds }, transaction);
    },
  };
}

import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';
import { eventIdsOfProfiles } from '../timeline/timeline-lookups';
import { chunks } from '../util/chunks';

/** The AI room's table about a person: the interests the model found in their messages (never the messages); erased whole. */
export function aiPersonData(db: Database): PersonDataHandler {
  return {
    name: 'ai',
    tables: ['ai_classifications'],
    async export(person, transaction) {
      return { ai_classifications: await rowsOfProfiles(db, 'ai_classifications', 'profile_id', person, transaction) };
    },
    async erase({ profileIds }, transaction) {
      // What the model found in their messages is about them (the messages' events are in their timelines).
      await db.execute('DELETE FROM ai_classifications WHERE profile_id IN (:profileIds)', { profileIds }, transaction);
      for (const part of chunks(await eventIdsOfProfiles(db, profileIds, transaction), 500)) {
        await db.execute('DELETE FROM ai_classifications WHERE event_id IN (:part)', { part }, transaction);
      }
    },
  };
}

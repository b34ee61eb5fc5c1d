import type { Database } from '../db/database';
import { type PersonDataHandler, rowsOfProfiles } from '../profiles/person-data';

/** The AI room's table about a person: the interests the model found in their messages (never the messages). */
export function aiPersonData(db: Database): PersonDataHandler {
  return {
    name: 'ai',
    tables: ['ai_classifications'],
    async export(person, transaction) {
      return { ai_classifications: await rowsOfProfiles(db, 'ai_classifications', 'profile_id', person, transaction) };
    },
  };
}

import { recordAudit } from '../audit/audit-log';
import type { Database } from '../db/database';
import type { StoredIdentity } from './identity-mentions';
import { liveProfileId } from './live-profile';
import { mergedFamily } from './merged-family';
import type { PersonDataRegistry, PersonRows } from './person-data';
import type { Clock } from '../util/clock';

/** Everything Persona holds about a person: their rows in every table, by table. */
export interface PersonExport {
  profileId: number;
  /** Profiles merged into theirs: their rows are in the export too. */
  mergedProfileIds: number[];
  exportedAt: string;
  tables: Record<string, PersonRows>;
}

/**
 * The right of access (PIPL art. 45, GDPR art. 15): what every room keeps about a person, from the registered
 * handlers, in one consistent read, recorded in the audit log. Times come out in ISO 8601 whatever the database stores.
 */
export class PersonDataExport {
  constructor(
    private readonly db: Database,
    private readonly personData: Pick<PersonDataRegistry, 'list'>,
    private readonly clock: Clock,
  ) {}

  /** Everything about the person behind `requestedId`; the export is recorded in the audit log as `actor`'s. */
  async export(requestedId: number, actor: string): Promise<PersonExport> {
    return this.db.transaction(async (transaction) => {
      const profileId = await liveProfileId(this.db, requestedId, transaction);
      const profileIds = await mergedFamily(this.db, profileId, transaction);
      const identities = await this.db.select<StoredIdentity>(
        'SELECT type, value FROM identities WHERE profile_id IN (:profileIds)',
        { profileIds },
        transaction,
      );
      const tables: Record<string, PersonRows> = {};
      for (const handler of this.personData.list()) {
        for (const [table, rows] of Object.entries(await handler.export({ profileIds, identities }, transaction))) {
          tables[table] = rows.map((row) => this.readable(row));
        }
      }
      const at = this.clock();
      const details = { mergedProfileIds: profileIds.slice(1), tables: Object.keys(tables) };
      await recordAudit(
        this.db,
        { actor, action: 'profile.exported', subject: `profile:${profileId}`, details, at },
        transaction,
      );
      return { profileId, mergedProfileIds: profileIds.slice(1), exportedAt: at.toISOString(), tables };
    });
  }

  /** Times as ISO 8601 (MySQL gives dates, SQLite its stored text). */
  private readable(row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row)) {
      out[column] =
        value instanceof Date
          ? value.toISOString()
          : typeof value === 'string' && storedTime.test(value)
            ? this.db.parseTime(value)?.toISOString()
            : value;
    }
    return out;
  }
}

/** A DATETIME as SQLite stores it: `2026-11-22 13:52:00.123 +00:00`. */
const storedTime = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+00:00$/;

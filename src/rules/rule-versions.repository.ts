import type { Database } from '../db/database';
import type { RulesDocument } from './rules-document.schema';

export type RuleVersionSource = 'config' | 'api';

export interface RuleVersion {
  id: number;
  document: unknown;
  source: RuleVersionSource;
  actor: string | null;
  createdAt: Date;
}

/** The history of rules documents in force (`rule_versions`), newest last. */
export class RuleVersionsRepository {
  constructor(private readonly db: Database) {}

  async add(document: RulesDocument, source: RuleVersionSource, actor: string | null, at: Date): Promise<number> {
    return this.db.insert('INSERT INTO rule_versions (document, source, actor, created_at) VALUES (?, ?, ?, ?)', [
      JSON.stringify(document),
      source,
      actor,
      at,
    ]);
  }

  /** The newest version, or the newest from one source. */
  async latest(source?: RuleVersionSource): Promise<RuleVersion | undefined> {
    const [row] = await this.db.select<{
      id: number;
      document: string;
      source: RuleVersionSource;
      actor: string | null;
      created_at: unknown;
    }>(
      `SELECT id, document, source, actor, created_at FROM rule_versions${source ? ' WHERE source = ?' : ''} ORDER BY id DESC LIMIT 1`,
      source ? [source] : [],
    );
    if (!row) return undefined;
    return {
      id: Number(row.id),
      document: JSON.parse(row.document) as unknown,
      source: row.source,
      actor: row.actor,
      createdAt: this.db.parseTime(row.created_at) ?? new Date(0),
    };
  }

  /** The newest version's id (0 when there is none): cheap enough to poll. */
  async latestId(): Promise<number> {
    const [row] = await this.db.select<{ id: number | null }>('SELECT MAX(id) AS id FROM rule_versions');
    return Number(row?.id ?? 0);
  }
}

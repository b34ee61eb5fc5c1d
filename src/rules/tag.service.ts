import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { ValidationError } from '../errors/validation.error';
import type { TimelineService } from '../timeline/timeline.service';

/** A tag as a profile holds it. */
export interface TagView {
  name: string;
  /** The part before the first slash: `crm/mql` → `crm`; `manual` when there is none. */
  category: string;
  source: string;
  addedAt: string;
  /** When an operator's tag for a while goes; null: it stays. */
  expiresAt: string | null;
}

export interface TagChange {
  profileId: number;
  add?: readonly string[];
  remove?: readonly string[];
  /** Who says so: `crm:<source>`, `operator`, a rule's name… */
  source: string;
  at: Date;
  /** Makes the `tag_added` / `tag_removed` timeline events idempotent: `<key>:tag:<name>:added`. */
  key: string;
  /** Every tag the profile holds, when the caller read them in this transaction with the profile locked (saves a read). */
  held?: ReadonlySet<string>;
  /** When the added tags go (the tag-expiry job takes them away); adding a held tag sets its expiry anew. */
  expiresAt?: Date | null;
}

/** What the tag taxonomy in force says about tags. */
export interface TagTaxonomy {
  categoryOf(name: string): string;
  /** A profile holds at most one tag of an exclusive category (lifecycle). */
  isExclusive(category: string): boolean;
}

/** The taxonomy without config: categories by prefix, none exclusive. */
export const prefixTaxonomy: TagTaxonomy = { categoryOf: tagCategory, isExclusive: () => false };

export function tagCategory(name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(0, slash) : 'manual';
}

/**
 * Tags on profiles. Adding a tag the profile has, or removing one it lacks, changes nothing; every real change is a
 * `tag_added` or `tag_removed` event on the timeline.
 */
export class TagService {
  constructor(
    private readonly db: Database,
    private readonly timeline: TimelineService,
    /** The taxonomy in force (it changes when the rules are reloaded). */
    private readonly taxonomy: () => TagTaxonomy = () => prefixTaxonomy,
  ) {}

  /**
   * Adds and removes tags. Adding a tag of an exclusive category takes away the profile's other tags of that
   * category, so it never holds two lifecycle stages.
   */
  async apply(change: TagChange, transaction: Transaction): Promise<{ added: string[]; removed: string[] }> {
    const taxonomy = this.taxonomy();
    const add = [...new Set(change.add ?? [])];
    const remove = [...new Set(change.remove ?? [])].filter((name) => !add.includes(name));
    if (add.length === 0 && remove.length === 0) return { added: [], removed: [] };
    const exclusive = new Set(add.map((name) => taxonomy.categoryOf(name)).filter((category) => taxonomy.isExclusive(category)));
    if (exclusive.size < add.filter((name) => taxonomy.isExclusive(taxonomy.categoryOf(name))).length) {
      throw new ValidationError(`tags: at most one tag of an exclusive category (${[...exclusive].join(', ')}) at a time`);
    }
    const held =
      change.held ??
      new Set(
        (
          await this.db.select<{ name: string }>(
            exclusive.size > 0 ? 'SELECT name FROM tags WHERE profile_id = :profileId' : 'SELECT name FROM tags WHERE profile_id = :profileId AND name IN (:names)',
            { profileId: change.profileId, names: [...add, ...remove] },
            transaction,
          )
        ).map((row) => row.name),
      );
    for (const name of held) {
      if (exclusive.has(taxonomy.categoryOf(name)) && !add.includes(name) && !remove.includes(name)) remove.push(name);
    }
    const added = add.filter((name) => !held.has(name));
    const removed = remove.filter((name) => held.has(name));
    if (added.length > 0) {
      await this.db.execute(
        `INSERT INTO tags (profile_id, name, source, added_at, expires_at) VALUES ${added.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        added.flatMap((name) => [change.profileId, name, change.source, change.at, change.expiresAt ?? null]),
        transaction,
      );
    }
    // A held tag gets a later expiry (or none) only from the source that holds it: a keyword never ends a rule's tag,
    // and a message processed late never shortens what a newer one gave.
    const renewed = change.expiresAt === undefined ? [] : add.filter((name) => held.has(name));
    if (renewed.length > 0) {
      await this.db.execute(
        'UPDATE tags SET expires_at = :expiresAt WHERE profile_id = :profileId AND name IN (:renewed) AND source = :source AND (expires_at IS NULL OR :expiresAt IS NULL OR expires_at < :expiresAt)',
        { expiresAt: change.expiresAt ?? null, profileId: change.profileId, renewed, source: change.source },
        transaction,
      );
    }
    if (removed.length > 0) {
      await this.db.execute(
        'DELETE FROM tags WHERE profile_id = :profileId AND name IN (:removed)',
        { profileId: change.profileId, removed },
        transaction,
      );
    }
    // Leaving comes before entering: dormant is removed, then churned added.
    for (const [names, type] of [
      [removed, 'tag_removed'],
      [added, 'tag_added'],
    ] as const) {
      for (const name of names) {
        await this.timeline.append(
          {
            profileId: change.profileId,
            type,
            channel: null,
            source: 'persona',
            sourceKey: `${change.key}:tag:${name}:${type === 'tag_added' ? 'added' : 'removed'}`.slice(0, 191),
            occurredAt: change.at,
            receivedAt: new Date(),
            properties: { tag: name, category: taxonomy.categoryOf(name), source: change.source },
          },
          transaction,
        );
      }
    }
    return { added, removed };
  }

  /**
   * A move between lifecycle stages (`lifecycle/dormant` → `lifecycle/active`, either may be none) as one
   * `lifecycle_changed` event: what a welcome-back push or a CRM listens for.
   */
  async recordLifecycleChange(profileId: number, from: string | null, to: string | null, key: string, at: Date, transaction: Transaction): Promise<void> {
    if (from === to) return;
    const stage = (tag: string | null) => (tag === null ? null : tag.slice(tag.indexOf('/') + 1));
    await this.timeline.append(
      {
        profileId,
        type: 'lifecycle_changed',
        channel: null,
        source: 'persona',
        sourceKey: `${key}:lifecycle:${stage(from) ?? '-'}:${stage(to) ?? '-'}`.slice(0, 191),
        occurredAt: at,
        receivedAt: new Date(),
        properties: { from: stage(from), to: stage(to) },
      },
      transaction,
    );
  }

  async list(profileId: number): Promise<TagView[]> {
    const rows = await this.db.select<{ name: string; source: string; added_at: unknown; expires_at: unknown }>(
      'SELECT name, source, added_at, expires_at FROM tags WHERE profile_id = ? ORDER BY name',
      [profileId],
    );
    return rows.map((row) => ({
      name: row.name,
      category: this.taxonomy().categoryOf(row.name),
      source: row.source,
      addedAt: this.db.parseTime(row.added_at)?.toISOString() ?? '',
      expiresAt: this.db.parseTime(row.expires_at)?.toISOString() ?? null,
    }));
  }
}

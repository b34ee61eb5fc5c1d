import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import { likeStartingWith } from '../db/sql-like';
import { ValidationError } from '../errors/app.errors';
import { rulesText } from './rules.messages';
import type { NewTimelineEvent, TimelineService } from '../timeline/timeline.service';
import { maxChainedTerms } from '../db/sql-limits';
import { chunks } from '../util/chunks';
import type { Clock } from '../util/clock';

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

/** A change worked out against what the profile holds. */
export interface PlannedTagChange {
  change: TagChange;
  added: string[];
  renewed: string[];
  removed: string[];
}

/** A profile's move between lifecycle stages (tags; null: none), recorded with `key` at `at`. */
export interface LifecycleMove {
  profileId: number;
  from: string | null;
  to: string | null;
  key: string;
  at: Date;
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
    private readonly taxonomy: () => TagTaxonomy,
    private readonly clock: Clock,
  ) {}

  /**
   * What `change` does to a profile holding `held`: the tags it adds, renews (held ones given a new expiry) and
   * removes. Adding a tag of an exclusive category takes away the profile's other tags of that category, so it never
   * holds two lifecycle stages.
   */
  plan(change: TagChange, held: ReadonlySet<string>): PlannedTagChange {
    const taxonomy = this.taxonomy();
    const add = [...new Set(change.add ?? [])];
    const remove = [...new Set(change.remove ?? [])].filter((name) => !add.includes(name));
    const exclusive = new Set(
      add.map((name) => taxonomy.categoryOf(name)).filter((category) => taxonomy.isExclusive(category)),
    );
    if (exclusive.size < add.filter((name) => taxonomy.isExclusive(taxonomy.categoryOf(name))).length) {
      throw new ValidationError(
        rulesText('tags.oneExclusive', {
          categories: [...exclusive].join(', '),
          categoriesZh: [...exclusive].join('、'),
        }),
      );
    }
    for (const name of held) {
      if (exclusive.has(taxonomy.categoryOf(name)) && !add.includes(name) && !remove.includes(name)) remove.push(name);
    }
    return {
      change,
      added: add.filter((name) => !held.has(name)),
      // A held tag gets a later expiry (or none) only from the source that holds it (see `applyMany`).
      renewed: change.expiresAt === undefined ? [] : add.filter((name) => held.has(name)),
      removed: remove.filter((name) => held.has(name)),
    };
  }

  /** Adds and removes tags (see `plan`). */
  async apply(change: TagChange, transaction: Transaction): Promise<{ added: string[]; removed: string[] }> {
    const [done] = await this.applyMany([change], transaction);
    return done;
  }

  /**
   * Several changes, in order, with a few statements for all of them: one read of what the profiles hold (for the
   * changes that don't say), one DELETE, one INSERT and one timeline append. A change planned against `held` sees
   * what the changes before it did only if its `held` says so; without `held` it sees them.
   */
  async applyMany(
    changes: readonly TagChange[],
    transaction: Transaction,
  ): Promise<{ added: string[]; removed: string[] }[]> {
    const taxonomy = this.taxonomy();
    const unread = [
      ...new Set(
        changes
          .filter((change) => !change.held && (change.add?.length || change.remove?.length))
          .map((change) => change.profileId),
      ),
    ];
    const holdings = new Map<number, Set<string>>(unread.map((id) => [id, new Set()]));
    if (unread.length > 0) {
      for (const row of await this.db.select<{ profile_id: number; name: string }>(
        'SELECT profile_id, name FROM tags WHERE profile_id IN (:unread)',
        { unread },
        transaction,
      )) {
        holdings.get(Number(row.profile_id))?.add(row.name);
      }
    }
    // Per profile and tag, what the rows become: stored rows to delete, rows to insert (a tag removed and added again
    // in one call is both: the delete runs first).
    const deleted = new Map<number, Set<string>>();
    const inserted = new Map<string, { change: TagChange; name: string }>();
    const events: NewTimelineEvent[] = [];
    const renewals: PlannedTagChange[] = [];
    const results = changes.map((change) => {
      const held = change.held ?? holdings.get(change.profileId) ?? new Set<string>();
      const planned = this.plan(change, held);
      const holding = new Set(held);
      for (const name of planned.removed) {
        holding.delete(name);
        if (!inserted.delete(`${change.profileId}\u0000${name}`)) {
          const gone = deleted.get(change.profileId) ?? new Set<string>();
          deleted.set(change.profileId, gone.add(name));
        }
      }
      for (const name of planned.added) {
        holding.add(name);
        inserted.set(`${change.profileId}\u0000${name}`, { change, name });
      }
      holdings.set(change.profileId, holding);
      if (planned.renewed.length > 0) renewals.push(planned);
      // Leaving comes before entering: dormant is removed, then churned added.
      for (const [names, type] of [
        [planned.removed, 'tag_removed'],
        [planned.added, 'tag_added'],
      ] as const) {
        for (const name of names) {
          events.push({
            profileId: change.profileId,
            type,
            channel: null,
            source: 'persona',
            sourceKey: `${change.key}:tag:${name}:${type === 'tag_added' ? 'added' : 'removed'}`.slice(0, 191),
            occurredAt: change.at,
            receivedAt: this.clock(),
            properties: { tag: name, category: taxonomy.categoryOf(name), source: change.source },
          });
        }
      }
      return { added: planned.added, removed: planned.removed };
    });
    if (deleted.size > 0) {
      const pairs = [...deleted].flatMap(([profileId, names]) => [...names].map((name) => [profileId, name]));
      for (const part of chunks(pairs, maxChainedTerms)) {
        await this.db.execute(
          `DELETE FROM tags WHERE ${part.map(() => '(profile_id = ? AND name = ?)').join(' OR ')}`,
          part.flat(),
          transaction,
        );
      }
    }
    if (inserted.size > 0) {
      const rows = [...inserted.values()];
      await this.db.insertRows(
        { into: 'INSERT INTO tags (profile_id, name, source, added_at, expires_at)', tuple: '(?, ?, ?, ?, ?)' },
        rows.map(({ change, name }) => [change.profileId, name, change.source, change.at, change.expiresAt ?? null]),
        transaction,
      );
    }
    // A keyword never ends a rule's tag, and a message processed late never shortens what a newer one gave.
    for (const { change, renewed } of renewals) {
      await this.db.execute(
        'UPDATE tags SET expires_at = :expiresAt WHERE profile_id = :profileId AND name IN (:renewed) AND source = :source AND (expires_at IS NULL OR :expiresAt IS NULL OR expires_at < :expiresAt)',
        { expiresAt: change.expiresAt ?? null, profileId: change.profileId, renewed, source: change.source },
        transaction,
      );
    }
    await this.timeline.appendMany(events, transaction);
    return results;
  }

  /**
   * Moves between lifecycle stages (`lifecycle/dormant` → `lifecycle/active`, either may be none) as
   * `lifecycle_changed` events: what a welcome-back push or a CRM listens for. A move to the same stage is none.
   */
  async recordLifecycleChanges(moves: readonly LifecycleMove[], transaction: Transaction): Promise<void> {
    const stage = (tag: string | null) => (tag === null ? null : tag.slice(tag.indexOf('/') + 1));
    const events = moves
      .filter((move) => move.from !== move.to)
      .map((move): NewTimelineEvent => ({
        profileId: move.profileId,
        type: 'lifecycle_changed',
        channel: null,
        source: 'persona',
        sourceKey: `${move.key}:lifecycle:${stage(move.from) ?? '-'}:${stage(move.to) ?? '-'}`.slice(0, 191),
        occurredAt: move.at,
        receivedAt: this.clock(),
        properties: { from: stage(move.from), to: stage(move.to) },
      }));
    await this.timeline.appendMany(events, transaction);
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

  /** The names of tags someone holds that start with `prefix` (the interest topics in use). */
  async namesInUse(prefix: string): Promise<string[]> {
    const rows = await this.db.select<{ name: string }>("SELECT DISTINCT name FROM tags WHERE name LIKE ? ESCAPE '!'", [
      likeStartingWith(prefix),
    ]);
    return rows.map((row) => row.name);
  }
}

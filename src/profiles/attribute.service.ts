import { randomUUID } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { TimelineService } from '../timeline/timeline.service';
import { ageBandOf, type AttributeValue, canonicalAttributeValue, isMoreRestrictive } from './attribute-catalog';
import type { Identity } from './identity';
import { liveProfileId } from './live-profile';
import type { Clock } from '../util/clock';
import { ownValue } from '../util/own-value';

/** An attribute as a profile holds it. */
export interface AttributeView {
  value: AttributeValue;
  source: string;
  updatedAt: string;
}

export interface AttributePrecedence {
  /** Sources from most to least trusted; sources not listed come after all listed ones. */
  default: readonly string[];
  /** Per attribute, overriding the default order. */
  byAttribute: Readonly<Record<string, readonly string[]>>;
}

/** One profile's value of an attribute, with who said it and when. */
export interface AttributeHolding {
  value: AttributeValue;
  source: string;
  updatedAt: Date | null;
}

export interface AttributeWrite {
  profileId: number;
  values: Record<string, AttributeValue | null>;
  /** Who says so: `crm`, `website`, `wechat`, `api`, `operator`… */
  source: string;
  at: Date;
  /** Makes the `attribute_changed` timeline events idempotent: `<key>:attr:<name>`. */
  key: string;
}

interface Row {
  name: string;
  value: string;
  source: string;
  updated_at: unknown;
}

/**
 * Attributes with provenance. A value from a source replaces the current one only if that source ranks at least as
 * high for the attribute (ties: the newer value wins), so a website form can't overwrite what the CRM said. Every
 * change is an `attribute_changed` event on the timeline, with the old and new value.
 */
export class AttributeService {
  constructor(
    private readonly db: Database,
    private readonly timeline: TimelineService,
    private readonly precedence: AttributePrecedence,
    private readonly clock: Clock,
  ) {}

  /**
   * An operator's edit of a person's attributes, by any profile id of theirs (a merged one's goes to the survivor):
   * ranked as `operator`, in its own transaction. Answers the profile written and the names that changed.
   */
  editAsOperator(
    requestedId: number,
    values: Record<string, AttributeValue | null>,
  ): Promise<{ profileId: number; changed: string[] }> {
    return this.db.transaction(async (transaction) => {
      const profileId = await liveProfileId(this.db, requestedId, transaction, { lock: true });
      const changed = await this.apply(
        { profileId, values, source: 'operator', at: this.clock(), key: `operator:${randomUUID()}` },
        transaction,
      );
      return { profileId, changed };
    });
  }

  async apply(write: AttributeWrite, transaction: Transaction): Promise<string[]> {
    const names = Object.keys(write.values);
    if (names.length === 0) return [];
    const rows = await this.db.select<Row>(
      `SELECT name, value, source, updated_at FROM attributes WHERE profile_id = :profileId AND name IN (:names)${this.db.forUpdate}`,
      { profileId: write.profileId, names },
      transaction,
    );
    const current = new Map(rows.map((row) => [row.name, row]));
    const changed: string[] = [];
    for (const name of names) {
      // One spelling per value, whichever source wrote it (上海市, Shanghai → 上海): the intake checked it is usable.
      const next = write.values[name] === null ? null : canonicalAttributeValue(name, write.values[name]);
      const existing = current.get(name);
      const before = existing ? (JSON.parse(existing.value) as AttributeValue) : null;
      if (existing && !this.mayReplace(name, write, existing)) continue;
      if (before === next) continue;
      if (next === null) {
        await this.db.execute(
          'DELETE FROM attributes WHERE profile_id = ? AND name = ?',
          [write.profileId, name],
          transaction,
        );
      } else if (existing) {
        await this.db.execute(
          'UPDATE attributes SET value = ?, source = ?, updated_at = ? WHERE profile_id = ? AND name = ?',
          [JSON.stringify(next), write.source, write.at, write.profileId, name],
          transaction,
        );
      } else {
        await this.db.execute(
          'INSERT INTO attributes (profile_id, name, value, source, updated_at) VALUES (?, ?, ?, ?, ?)',
          [write.profileId, name, JSON.stringify(next), write.source, write.at],
          transaction,
        );
      }
      await this.timeline.append(
        {
          profileId: write.profileId,
          type: 'attribute_changed',
          channel: null,
          source: 'persona',
          sourceKey: `${write.key}:attr:${name}`.slice(0, 191),
          occurredAt: write.at,
          receivedAt: this.clock(),
          properties: { name, from: before, to: next, source: write.source },
        },
        transaction,
      );
      changed.push(name);
    }
    return changed;
  }

  async list(profileId: number): Promise<Record<string, AttributeView>> {
    const rows = await this.db.select<Row>(
      'SELECT name, value, source, updated_at FROM attributes WHERE profile_id = ? ORDER BY name',
      [profileId],
    );
    const views: Record<string, AttributeView> = Object.fromEntries(
      rows.map((row) => [
        row.name,
        {
          value: JSON.parse(row.value) as AttributeValue,
          source: row.source,
          updatedAt: this.db.parseTime(row.updated_at)?.toISOString() ?? '',
        },
      ]),
    );
    // A known birthday gives today's age band (a stored band would go stale); else a stated band stands.
    const birthday = views.birthday;
    if (birthday)
      views.ageBand = {
        value: ageBandOf(String(birthday.value), this.clock()),
        source: 'birthday',
        updatedAt: birthday.updatedAt,
      };
    return Object.fromEntries(Object.entries(views).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The attribute values of the profile an identity belongs to (empty if Persona doesn't know it yet). One query. */
  async valuesForIdentity(identity: Identity): Promise<Record<string, AttributeValue>> {
    const rows = await this.db.select<{ name: string; value: string }>(
      `SELECT a.name, a.value FROM identities i JOIN attributes a ON a.profile_id = i.profile_id
        WHERE i.type = ? AND i.scope = ? AND i.value = ?`,
      [identity.type, identity.scope, identity.value],
    );
    const values: Record<string, AttributeValue> = Object.fromEntries(
      rows.map((row) => [row.name, JSON.parse(row.value) as AttributeValue]),
    );
    if (typeof values.birthday === 'string') values.ageBand = ageBandOf(values.birthday, this.clock());
    return values;
  }

  private rank(name: string, source: string): number {
    const order = ownValue(this.precedence.byAttribute, name) ?? this.precedence.default;
    const index = order.indexOf(source);
    return index < 0 ? order.length : index;
  }

  private mayReplace(name: string, write: AttributeWrite, existing: Row): boolean {
    return this.outranks(
      name,
      { source: write.source, updatedAt: write.at },
      { source: existing.source, updatedAt: this.db.parseTime(existing.updated_at) },
    );
  }

  /**
   * When two profiles of one person merge and both hold `name`: whether `candidate` (the absorbed profile's) should be
   * the survivor's. A more restrictive value (an opt-out) always stands; otherwise the usual precedence decides.
   */
  prevailsInMerge(name: string, candidate: AttributeHolding, holder: AttributeHolding): boolean {
    if (isMoreRestrictive(name, candidate.value, holder.value)) return true;
    if (isMoreRestrictive(name, holder.value, candidate.value)) return false;
    return this.outranks(name, candidate, holder);
  }

  /** Whether a value from `incoming` should replace one from `holder`: the higher-ranked source, on a tie the newer. */
  outranks(
    name: string,
    incoming: { source: string; updatedAt: Date | null },
    holder: { source: string; updatedAt: Date | null },
  ): boolean {
    const incomingRank = this.rank(name, incoming.source);
    const holderRank = this.rank(name, holder.source);
    if (incomingRank !== holderRank) return incomingRank < holderRank;
    return !holder.updatedAt || (incoming.updatedAt?.getTime() ?? 0) >= holder.updatedAt.getTime();
  }
}

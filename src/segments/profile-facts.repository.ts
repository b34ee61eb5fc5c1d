import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { AttributeValue } from '../profiles/attribute-catalog';
import type { IdentityType } from '../profiles/identity';
import { durationMs, personaEventSource, type SegmentExpr, segmentTerms } from './segment-ast';
import { factNeeds, noNeeds } from './segment-dependencies';
import { countEvents, type EventTerm, type FactEvent, type ProfileFacts } from './segment-evaluator';

function appendTo<T>(lists: Map<number, T[]>, key: number, item: T): void {
  const list = lists.get(key);
  if (list) list.push(item);
  else lists.set(key, [item]);
}

/** Facts as loaded: what the evaluator reads, and who gave each tag. */
export interface LoadedFacts extends ProfileFacts {
  tagSources: Map<string, string>;
}

/** The `event:` terms of expressions. */
function eventTerms(exprs: readonly SegmentExpr[]): EventTerm[] {
  return exprs.flatMap(segmentTerms).filter((term): term is EventTerm => term.kind === 'event');
}

/**
 * Reads what the in-memory evaluator needs about profiles, for a set of expressions: their tags, attributes,
 * identities, follows, recency, scores and frozen-list places, and the events the expressions' `event:` terms count,
 * with one query per kind of fact for all the profiles at once. Read inside the caller's transaction, so it sees the
 * caller's writes.
 */
export class ProfileFactsRepository {
  constructor(private readonly db: Database) {}

  async load(
    profileId: number,
    exprs: readonly SegmentExpr[],
    now: Date,
    transaction?: Transaction,
    also: { tags?: boolean } = {},
  ): Promise<LoadedFacts> {
    return (await this.loadMany([profileId], exprs, now, transaction, also)).get(profileId) as LoadedFacts;
  }

  /** `also.tags` reads the tags (with their sources) even when no expression does. */
  async loadMany(
    profileIds: readonly number[],
    exprs: readonly SegmentExpr[],
    now: Date,
    transaction?: Transaction,
    also: { tags?: boolean } = {},
  ): Promise<Map<number, LoadedFacts>> {
    const needs = noNeeds();
    for (const expr of exprs) factNeeds(expr, needs);
    needs.tags ||= also.tags === true;
    // Only what the expressions read is fetched; the rest stays empty, and nothing reads it.
    const select = async <Row extends { profile_id: number }>(needed: boolean, sql: string) => {
      const rows = needed ? await this.db.select<Row>(sql, { ids: profileIds }, transaction) : [];
      const byProfile = new Map<number, Row[]>();
      for (const row of rows) appendTo(byProfile, Number(row.profile_id), row);
      return (id: number) => byProfile.get(id) ?? [];
    };
    const profiles = await select<{
      profile_id: number;
      last_seen_at: unknown;
      first_touch_source: string | null;
      first_touch_channel: string | null;
    }>(
      needs.profile,
      'SELECT id AS profile_id, last_seen_at, first_touch_source, first_touch_channel FROM profiles WHERE id IN (:ids)',
    );
    const tags = await select<{ profile_id: number; name: string; source: string }>(
      needs.tags,
      'SELECT profile_id, name, source FROM tags WHERE profile_id IN (:ids)',
    );
    const attributes = await select<{ profile_id: number; name: string; value: string }>(
      needs.attributes,
      'SELECT profile_id, name, value FROM attributes WHERE profile_id IN (:ids)',
    );
    const identities = await select<{ profile_id: number; type: IdentityType }>(
      needs.identities,
      'SELECT DISTINCT profile_id, type FROM identities WHERE profile_id IN (:ids)',
    );
    const subscriptions = await select<{ profile_id: number; account: string; subscribed: unknown }>(
      needs.subscriptions,
      'SELECT profile_id, account, subscribed FROM subscriptions WHERE profile_id IN (:ids)',
    );
    const scores = await select<{ profile_id: number; score_group: string; points: number }>(
      needs.scores,
      'SELECT profile_id, score_group, points FROM scores WHERE profile_id IN (:ids)',
    );
    const lists = await select<{ profile_id: number; segment_id: number }>(
      needs.frozenLists,
      'SELECT profile_id, segment_id FROM segment_members WHERE profile_id IN (:ids)',
    );
    const events = await this.events(profileIds, eventTerms(exprs), now, transaction);
    const facts = new Map<number, LoadedFacts>();
    for (const id of profileIds) {
      const [profile] = profiles(id);
      const held = events.get(id) ?? [];
      facts.set(id, {
        tags: new Set(tags(id).map((row) => row.name)),
        tagSources: new Map(tags(id).map((row) => [row.name, row.source])),
        attributes: Object.fromEntries(
          attributes(id).map((row) => [row.name, JSON.parse(row.value) as AttributeValue]),
        ),
        identityTypes: new Set(identities(id).map((row) => row.type)),
        subscriptions: new Map(
          subscriptions(id).map((row) => [row.account, Number(row.subscribed) === 1 || row.subscribed === true]),
        ),
        lastSeenAt: this.db.parseTime(profile?.last_seen_at),
        firstTouch: { source: profile?.first_touch_source ?? null, channel: profile?.first_touch_channel ?? null },
        frozenSegments: new Set(lists(id).map((row) => Number(row.segment_id))),
        scores: new Map(scores(id).map((row) => [row.score_group, Number(row.points)])),
        eventCount: (term) => countEvents(held, term, now),
      });
    }
    return facts;
  }

  /**
   * The profiles' events of the counted types, each type back to the widest window its terms need (all time if one
   * has none), and for `event:any` every event back to its window; properties are parsed only where some term
   * filters or sums.
   */
  private async events(
    profileIds: readonly number[],
    terms: readonly EventTerm[],
    now: Date,
    transaction?: Transaction,
  ): Promise<Map<number, FactEvent[]>> {
    const byProfile = new Map<number, FactEvent[]>();
    if (terms.length === 0) return byProfile;
    // Per type (or any), the earliest time a term reads back to, and whether a term reads its properties.
    const since = new Map<string, number>();
    const read = new Set<string>();
    let anySince: number | null = null;
    let anyRead = false;
    for (const term of terms) {
      const from = term.window ? now.getTime() - durationMs(term.window) : Number.NEGATIVE_INFINITY;
      const properties = term.filters.length > 0 || term.sum !== null;
      if (term.types === 'any') {
        anySince = Math.min(anySince ?? Number.POSITIVE_INFINITY, from);
        anyRead ||= properties;
        continue;
      }
      for (const type of term.types) {
        since.set(type, Math.min(since.get(type) ?? Number.POSITIVE_INFINITY, from));
        if (properties) read.add(type);
      }
    }
    const clauses: string[] = [];
    const values: Record<string, unknown> = { ids: profileIds, persona: personaEventSource };
    const after = (name: string, from: number) => {
      if (!Number.isFinite(from)) return '';
      values[name] = new Date(from);
      return ` AND occurred_at >= :${name}`;
    };
    [...since].forEach(([type, from], index) => {
      values[`type${index}`] = type;
      clauses.push(`(type = :type${index}${after(`since${index}`, from)})`);
    });
    if (anySince !== null) clauses.push(`(source <> :persona${after('sinceAny', anySince)})`);
    const withProperties = read.size > 0 || anyRead;
    const rows = await this.db.select<{
      profile_id: number;
      type: string;
      source: string;
      occurred_at: unknown;
      properties: string | null;
    }>(
      `SELECT profile_id, type, source, occurred_at, ${withProperties ? 'properties' : 'NULL AS properties'} FROM events WHERE profile_id IN (:ids) AND (${clauses.join(' OR ')})`,
      values,
      transaction,
    );
    for (const row of rows) {
      const event = {
        type: row.type,
        source: row.source,
        occurredAt: this.db.parseTime(row.occurred_at) ?? now,
        properties:
          anyRead || read.has(row.type) ? (JSON.parse(row.properties ?? '{}') as Record<string, unknown>) : {},
      };
      appendTo(byProfile, Number(row.profile_id), event);
    }
    return byProfile;
  }
}

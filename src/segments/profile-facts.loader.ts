import type { Transaction } from 'sequelize';
import type { Database } from '../db/database';
import type { AttributeValue } from '../profiles/attribute-catalog';
import type { IdentityType } from '../profiles/identity';
import { durationMs, type SegmentExpr } from './segment-ast';
import { countEvents, type EventTerm, type FactEvent, type ProfileFacts } from './segment-evaluator';

/** The `event:` terms of expressions. */
function eventTerms(exprs: readonly SegmentExpr[]): EventTerm[] {
  const terms: EventTerm[] = [];
  const visit = (expr: SegmentExpr): void => {
    if (expr.kind === 'event') terms.push(expr);
    else if (expr.kind === 'and' || expr.kind === 'or') expr.items.forEach(visit);
    else if (expr.kind === 'not') visit(expr.item);
  };
  exprs.forEach(visit);
  return terms;
}

/**
 * Reads what the in-memory evaluator needs about profiles, for a set of expressions: their tags, attributes,
 * identities, follows, recency, scores and frozen-list places, and the events the expressions' `event:` terms count,
 * with one query per kind of fact for all the profiles at once. Read inside the caller's transaction, so it sees the
 * caller's writes.
 */
export class ProfileFactsLoader {
  constructor(private readonly db: Database) {}

  async load(profileId: number, exprs: readonly SegmentExpr[], now: Date, transaction?: Transaction): Promise<ProfileFacts> {
    return (await this.loadMany([profileId], exprs, now, transaction)).get(profileId) as ProfileFacts;
  }

  async loadMany(profileIds: readonly number[], exprs: readonly SegmentExpr[], now: Date, transaction?: Transaction): Promise<Map<number, ProfileFacts>> {
    const select = <Row extends { profile_id: number }>(sql: string) => this.db.select<Row>(sql, { ids: profileIds }, transaction);
    const grouped = <Row extends { profile_id: number }>(rows: Row[]) => {
      const byProfile = new Map<number, Row[]>();
      for (const row of rows) byProfile.set(Number(row.profile_id), [...(byProfile.get(Number(row.profile_id)) ?? []), row]);
      return (id: number) => byProfile.get(id) ?? [];
    };
    const profiles = new Map(
      (
        await select<{ profile_id: number; last_seen_at: unknown; first_touch_source: string | null; first_touch_channel: string | null }>(
          'SELECT id AS profile_id, last_seen_at, first_touch_source, first_touch_channel FROM profiles WHERE id IN (:ids)',
        )
      ).map((row) => [Number(row.profile_id), row]),
    );
    const tags = grouped(await select<{ profile_id: number; name: string }>('SELECT profile_id, name FROM tags WHERE profile_id IN (:ids)'));
    const attributes = grouped(await select<{ profile_id: number; name: string; value: string }>('SELECT profile_id, name, value FROM attributes WHERE profile_id IN (:ids)'));
    const identities = grouped(await select<{ profile_id: number; type: IdentityType }>('SELECT DISTINCT profile_id, type FROM identities WHERE profile_id IN (:ids)'));
    const subscriptions = grouped(await select<{ profile_id: number; account: string; subscribed: unknown }>('SELECT profile_id, account, subscribed FROM subscriptions WHERE profile_id IN (:ids)'));
    const scores = grouped(await select<{ profile_id: number; score_group: string; points: number }>('SELECT profile_id, score_group, points FROM scores WHERE profile_id IN (:ids)'));
    const lists = grouped(await select<{ profile_id: number; segment_id: number }>('SELECT profile_id, segment_id FROM segment_members WHERE profile_id IN (:ids)'));
    const events = grouped(await this.events(profileIds, eventTerms(exprs), now, transaction));
    const facts = new Map<number, ProfileFacts>();
    for (const id of profileIds) {
      const profile = profiles.get(id);
      const held = events(id);
      facts.set(id, {
        tags: new Set(tags(id).map((row) => row.name)),
        attributes: Object.fromEntries(attributes(id).map((row) => [row.name, JSON.parse(row.value) as AttributeValue])),
        identityTypes: new Set(identities(id).map((row) => row.type)),
        subscriptions: new Map(subscriptions(id).map((row) => [row.account, Number(row.subscribed) === 1 || row.subscribed === true])),
        lastSeenAt: this.db.parseTime(profile?.last_seen_at),
        firstTouch: { source: profile?.first_touch_source ?? null, channel: profile?.first_touch_channel ?? null },
        frozenSegments: new Set(lists(id).map((row) => Number(row.segment_id))),
        scores: new Map(scores(id).map((row) => [row.score_group, Number(row.points)])),
        eventCount: (term) => countEvents(held, term, now),
      });
    }
    return facts;
  }

  /** The profiles' events of the counted types, back to the widest window any term needs (all time if one has none). */
  private async events(profileIds: readonly number[], terms: readonly EventTerm[], now: Date, transaction?: Transaction): Promise<(FactEvent & { profile_id: number })[]> {
    if (terms.length === 0) return [];
    const windows = terms.map((term) => (term.window ? durationMs(term.window) : Number.POSITIVE_INFINITY));
    const widest = Math.max(...windows);
    const since = Number.isFinite(widest) ? new Date(now.getTime() - widest) : null;
    const rows = await this.db.select<{ profile_id: number; type: string; occurred_at: unknown; properties: string | null }>(
      `SELECT profile_id, type, occurred_at, properties FROM events WHERE profile_id IN (:ids) AND type IN (:types)${since ? ' AND occurred_at >= :since' : ''}`,
      { ids: profileIds, types: [...new Set(terms.map((term) => term.type))], since },
      transaction,
    );
    return rows.map((row) => ({
      profile_id: Number(row.profile_id),
      type: row.type,
      occurredAt: this.db.parseTime(row.occurred_at) ?? now,
      properties: JSON.parse(row.properties ?? '{}') as Record<string, unknown>,
    }));
  }
}

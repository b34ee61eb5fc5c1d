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
 * Reads what the in-memory evaluator needs about one profile, for a set of expressions: its tags, attributes,
 * identities, follows, recency, scores and frozen-list places, and the events the expressions' `event:` terms count,
 * fetched with one query for all of them. Read inside the caller's transaction, so it sees the caller's writes.
 */
export class ProfileFactsLoader {
  constructor(private readonly db: Database) {}

  async load(profileId: number, exprs: readonly SegmentExpr[], now: Date, transaction?: Transaction): Promise<ProfileFacts> {
    const select = <Row extends object>(sql: string) => this.db.select<Row>(sql, [profileId], transaction);
    const [profile] = await select<{ last_seen_at: unknown; first_touch_source: string | null; first_touch_channel: string | null }>(
      'SELECT last_seen_at, first_touch_source, first_touch_channel FROM profiles WHERE id = ?',
    );
    const [tags, attributes, identities, subscriptions, scores, lists] = await Promise.all([
      select<{ name: string }>('SELECT name FROM tags WHERE profile_id = ?'),
      select<{ name: string; value: string }>('SELECT name, value FROM attributes WHERE profile_id = ?'),
      select<{ type: IdentityType }>('SELECT DISTINCT type FROM identities WHERE profile_id = ?'),
      select<{ account: string; subscribed: unknown }>('SELECT account, subscribed FROM subscriptions WHERE profile_id = ?'),
      select<{ score_group: string; points: number }>('SELECT score_group, points FROM scores WHERE profile_id = ?'),
      select<{ segment_id: number }>('SELECT segment_id FROM segment_members WHERE profile_id = ?'),
    ]);
    const events = await this.events(profileId, eventTerms(exprs), now, transaction);
    return {
      tags: new Set(tags.map((row) => row.name)),
      attributes: Object.fromEntries(attributes.map((row) => [row.name, JSON.parse(row.value) as AttributeValue])),
      identityTypes: new Set(identities.map((row) => row.type)),
      subscriptions: new Map(subscriptions.map((row) => [row.account, Number(row.subscribed) === 1 || row.subscribed === true])),
      lastSeenAt: this.db.parseTime(profile?.last_seen_at),
      firstTouch: { source: profile?.first_touch_source ?? null, channel: profile?.first_touch_channel ?? null },
      frozenSegments: new Set(lists.map((row) => Number(row.segment_id))),
      scores: new Map(scores.map((row) => [row.score_group, Number(row.points)])),
      eventCount: (term) => countEvents(events, term, now),
    };
  }

  /** The profile's events of the counted types, back to the widest window any term needs (all time if one has none). */
  private async events(profileId: number, terms: readonly EventTerm[], now: Date, transaction?: Transaction): Promise<FactEvent[]> {
    if (terms.length === 0) return [];
    const windows = terms.map((term) => (term.window ? durationMs(term.window) : Number.POSITIVE_INFINITY));
    const widest = Math.max(...windows);
    const since = Number.isFinite(widest) ? new Date(now.getTime() - widest) : null;
    const rows = await this.db.select<{ type: string; occurred_at: unknown; properties: string | null }>(
      `SELECT type, occurred_at, properties FROM events WHERE profile_id = :profileId AND type IN (:types)${since ? ' AND occurred_at >= :since' : ''}`,
      { profileId, types: [...new Set(terms.map((term) => term.type))], since },
      transaction,
    );
    return rows.map((row) => ({
      type: row.type,
      occurredAt: this.db.parseTime(row.occurred_at) ?? now,
      properties: JSON.parse(row.properties ?? '{}') as Record<string, unknown>,
    }));
  }
}

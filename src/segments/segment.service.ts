import { personaEventTypes } from '../timeline/persona-event-types';
import { audienceIds } from './audience-lookups';
import { valueWarnings } from './value-warnings';
import type { Database } from '../db/database';
import { ConflictError, NotFoundError, ValidationError } from '../errors/app.errors';
import { segmentsText } from './segments.messages';
import { type Localizable, type LocalizedText, listOf } from '../i18n/message-catalog';
import { maskIdentity } from '../logging/pii-mask';
import type { SegmentExpr } from './segment-ast';
import { refersTo } from './segment-dependencies';
import { parseSegment } from './segment-parser';
import { printSegment } from './segment-printer';
import { resolveSegmentRefs } from './segment-semantics';
import { compileSegment, liveProfiles } from './segment-sql-compiler';
import { loadVocabulary, type SegmentVocabulary, unknownNameWarnings } from './segment-vocabulary';
import { TagLabels } from './tag-labels';
import { checkName, description } from './segment-input';
import type { Clock } from '../util/clock';
import type { Page, PageRequest } from '../util/paging';
import { segmentPages } from './segment-pages';

export interface SegmentView {
  name: string;
  expression: string;
  description: string | null;
  /** When it became a static list; null for a live segment. */
  frozenAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentPreview {
  /** The expression as Persona reads it (canonical). */
  expression: string;
  count: number;
  /** Up to 20 matching profiles, contact details masked. */
  sample: { id: number; name: string | null; identities: { type: string; value: string }[]; tags: string[] }[];
  byLifecycle: Record<string, number>;
  topTags: { tag: string; count: number }[];
  /** Names nothing holds yet (a likely typo, with the closest known name), see unknownNameWarnings; English in JSON. */
  warnings: LocalizedText[];
}

/** A segment as saved, with what the operator should know about its names. */
export type SavedSegment = SegmentView & { warnings: LocalizedText[] };

interface SegmentRow {
  id: number;
  name: string;
  expression: string;
  description: string | null;
  frozen_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

const sampleSize = 20;

/**
 * Saved segments: named expressions operators build on (`segment:vip`), counted on demand, previewed before a push,
 * frozen into static lists, and counted daily for trend lines.
 */
export class SegmentService {
  /** What else names segments (pushes waiting to go out), asked before a delete: each answers who still needs one. */
  private readonly dependents: ((name: string) => Promise<Localizable[]>)[] = [];

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** What operators call tags (the rules in force): an expression may name a tag by its label. */
    private readonly labels: () => TagLabels = () => TagLabels.none,
    /** Event types sources declare (plugins' rule vocabularies): known before the first such event arrives. */
    private readonly declaredEventTypes: () => readonly string[] = () => [],
  ) {}

  addDependents(usersOf: (name: string) => Promise<Localizable[]>): void {
    this.dependents.push(usersOf);
  }

  /** What `segment:<name>` stands for: the saved expression, or the static list of a frozen segment. */
  readonly lookup = async (name: string): Promise<SegmentExpr | undefined> => {
    const [row] = await this.db.select<{ id: number; expression: string; frozen_at: unknown }>(
      'SELECT id, expression, frozen_at FROM segments WHERE name = ?',
      [name],
    );
    if (!row) return undefined;
    return row.frozen_at ? { kind: 'frozenList', name, segmentId: Number(row.id) } : parseSegment(row.expression);
  };

  async create(input: { name: unknown; expression: unknown; description?: unknown }): Promise<SavedSegment> {
    const name = checkName(input.name);
    const expression = await this.canonical(input.expression, name);
    const now = this.clock();
    try {
      await this.db.execute(
        'INSERT INTO segments (name, expression, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        [name, expression, description(input.description), now, now],
      );
    } catch (error) {
      if (error instanceof ConflictError) throw new ConflictError(segmentsText('segment.exists', { name }));
      throw error;
    }
    return { ...(await this.get(name)), warnings: await this.warnings(parseSegment(expression)) };
  }

  async list(request: PageRequest): Promise<Page<SegmentView>> {
    const page = segmentPages.clause(request);
    const rows = await this.db.select<SegmentRow>(
      `SELECT * FROM segments WHERE ${page.where} ${page.orderAndLimit}`,
      page.values,
    );
    return segmentPages.page(rows, request, (row) => this.view(row));
  }

  async get(name: string): Promise<SegmentView> {
    return this.view(await this.row(name));
  }

  async update(name: string, input: { expression?: unknown; description?: unknown }): Promise<SavedSegment> {
    const row = await this.row(name);
    let expression = row.expression;
    if (input.expression !== undefined) {
      if (row.frozen_at) throw new ConflictError(segmentsText('segment.frozenExpression', { name }));
      expression = await this.canonical(input.expression, name);
    }
    const text = input.description === undefined ? row.description : description(input.description);
    await this.db.execute('UPDATE segments SET expression = ?, description = ?, updated_at = ? WHERE id = ?', [
      expression,
      text,
      this.clock(),
      row.id,
    ]);
    return { ...(await this.get(name)), warnings: await this.warnings(parseSegment(expression)) };
  }

  /** Refused while another segment, or a push still to be sent, refers to this one. */
  async delete(name: string): Promise<void> {
    const row = await this.row(name);
    const segments = (
      await this.db.select<{ name: string; expression: string }>(
        'SELECT name, expression FROM segments WHERE id <> ?',
        [row.id],
      )
    )
      .filter((other) => refersTo(parseSegment(other.expression), name))
      .map((other): Localizable => ({ in: () => `segment:${other.name}` }));
    const users = [...segments, ...(await Promise.all(this.dependents.map((usersOf) => usersOf(name)))).flat()];
    if (users.length > 0) throw new ConflictError(segmentsText('segment.inUse', { name, users: listOf(users) }));
    await this.db.execute('DELETE FROM segments WHERE id = ?', [row.id]);
  }

  /** How many live profiles match: a frozen segment counts its members that are still live. */
  async countOf(name: string): Promise<number> {
    const expr = await this.lookup(name);
    if (!expr) throw new NotFoundError(segmentsText('segment.notFound', { name }));
    return this.count(expr);
  }

  async count(expr: SegmentExpr): Promise<number> {
    const { sql, values } = await this.compile(expr);
    const [row] = await this.db.selectLong<{ n: number }>(
      `SELECT COUNT(*) AS n FROM profiles p WHERE ${liveProfiles} AND ${sql}`,
      values,
    );
    return Number(row.n);
  }

  /** How many live profiles an operator's expression selects, with it in canonical form and any likely typos. */
  async measure(expression: unknown): Promise<{ expression: string; count: number; warnings: LocalizedText[] }> {
    const expr = this.parseExpression(expression);
    return { expression: printSegment(expr), count: await this.count(expr), warnings: await this.warnings(expr) };
  }

  /** The tags, attributes and event types the data holds: what an expression can usefully name. */
  vocabulary(): Promise<SegmentVocabulary> {
    return loadVocabulary(this.db, this.declaredEventTypes());
  }

  /** What an expression would select, before it is saved or pushed to. */
  async preview(expression: unknown): Promise<SegmentPreview> {
    const expr = this.parseExpression(expression);
    const { sql, values } = await this.compile(expr);
    const where = `${liveProfiles} AND ${sql}`;
    const [{ n }] = await this.db.selectLong<{ n: number }>(
      `SELECT COUNT(*) AS n FROM profiles p WHERE ${where}`,
      values,
    );
    const ids = (
      await this.db.selectLong<{ id: number }>(
        `SELECT p.id FROM profiles p WHERE ${where} ORDER BY p.id LIMIT ${sampleSize}`,
        values,
      )
    ).map((row) => Number(row.id));
    const tagCounts = await this.db.selectLong<{ name: string; n: number }>(
      `SELECT lt.name AS name, COUNT(*) AS n FROM profiles p JOIN tags lt ON lt.profile_id = p.id WHERE ${where} GROUP BY lt.name ORDER BY n DESC, lt.name`,
      values,
    );
    const byLifecycle = Object.fromEntries(
      tagCounts
        .filter((row) => row.name.startsWith('lifecycle/'))
        .map((row) => [row.name.slice('lifecycle/'.length), Number(row.n)]),
    );
    const topTags = tagCounts
      .filter((row) => !row.name.startsWith('lifecycle/'))
      .slice(0, 10)
      .map((row) => ({ tag: row.name, count: Number(row.n) }));
    return {
      expression: printSegment(expr),
      count: Number(n),
      sample: await this.sample(ids),
      byLifecycle,
      topTags,
      warnings: await this.warnings(expr),
    };
  }

  /**
   * The live profiles an audience selects, as a WHERE clause over `profiles p` with its values: a saved segment by
   * name (followed at send time, so later edits count) or an expression. Answers the canonical text too.
   */
  async audience(input: {
    segment?: string;
    expression?: string;
  }): Promise<{ expression: string; where: string; values: Record<string, unknown> }> {
    let expr: SegmentExpr;
    if (input.segment !== undefined) {
      if (!(await this.lookup(input.segment)))
        throw new NotFoundError(segmentsText('segment.notFound', { name: input.segment }));
      expr = { kind: 'segment', name: input.segment };
    } else {
      expr = this.parseExpression(input.expression);
    }
    const { sql, values } = await this.compile(expr);
    return { expression: printSegment(expr), where: `${liveProfiles} AND ${sql}`, values };
  }

  /**
   * Values the data holds, for examples an operator can try as they are (the expression reference): a tag (not a
   * lifecycle stage), a city, an event type people have (a purchase or an article read when there are), a saved
   * segment. Each a single indexed read.
   */
  async examples(): Promise<{ tag?: string; city?: string; eventType?: string; segment?: string }> {
    const first = async (sql: string) => (await this.db.select<{ value: string }>(sql))[0]?.value;
    const [tag, city, segment, vocabulary] = await Promise.all([
      first("SELECT name AS value FROM tags WHERE name NOT LIKE 'lifecycle/%' ORDER BY name LIMIT 1"),
      first(
        "SELECT value_key AS value FROM attributes WHERE name = 'city' AND value_key IS NOT NULL ORDER BY value_key LIMIT 1",
      ),
      first('SELECT name AS value FROM segments ORDER BY name LIMIT 1'),
      loadVocabulary(this.db, []),
    ]);
    const types = vocabulary.eventTypes.filter((type) => !personaEventTypes.has(type));
    const eventType = ['purchase', 'article_view', 'page_view'].find((type) => types.includes(type)) ?? types[0];
    return {
      ...(tag ? { tag } : {}),
      ...(city ? { city: String(JSON.parse(city)) } : {}),
      ...(eventType ? { eventType } : {}),
      ...(segment ? { segment } : {}),
    };
  }

  /** The live profiles an audience selects now, in id order (a bulk action's people). */
  async memberIds(input: { segment: string } | { expression: string }): Promise<number[]> {
    return audienceIds(this.db, await this.audience(input));
  }

  /** Turns a segment into a static list of the profiles it matches now; answers how many. */
  async freeze(name: string): Promise<number> {
    const row = await this.row(name);
    if (row.frozen_at) throw new ConflictError(segmentsText('segment.alreadyFrozen', { name }));
    const { sql, values } = await this.compile(parseSegment(row.expression));
    // Read first (a plain read locks nothing on MySQL), then write the list: webhooks and the worker go on meanwhile.
    const ids = (
      await this.db.selectLong<{ id: number }>(
        `SELECT p.id FROM profiles p WHERE ${liveProfiles} AND ${sql} ORDER BY p.id`,
        values,
      )
    ).map((member) => Number(member.id));
    await this.db.transaction(async (transaction) => {
      for (let start = 0; start < ids.length; start += 500) {
        const part = ids.slice(start, start + 500);
        await this.db.execute(
          `INSERT INTO segment_members (segment_id, profile_id) VALUES ${part.map(() => '(?, ?)').join(', ')}`,
          part.flatMap((id) => [row.id, id]),
          transaction,
        );
      }
      await this.db.execute(
        'UPDATE segments SET frozen_at = ?, updated_at = ? WHERE id = ?',
        [this.clock(), this.clock(), row.id],
        transaction,
      );
    });
    return ids.length;
  }

  /** Records every segment's count for `day` (YYYY-MM-DD, the account's calendar); a second run that day replaces it. */
  async snapshotCounts(day: string): Promise<number> {
    const segments = await this.db.select<{ id: number; name: string }>('SELECT id, name FROM segments ORDER BY id');
    for (const { id, name } of segments) {
      const count = await this.countOf(name);
      await this.db.transaction(async (transaction) => {
        await this.db.execute('DELETE FROM segment_counts WHERE segment_id = ? AND day = ?', [id, day], transaction);
        await this.db.execute(
          'INSERT INTO segment_counts (segment_id, day, count, counted_at) VALUES (?, ?, ?, ?)',
          [id, day, count, this.clock()],
          transaction,
        );
      });
    }
    return segments.length;
  }

  async history(name: string): Promise<{ day: string; count: number }[]> {
    const row = await this.row(name);
    const rows = await this.db.select<{ day: string; count: number }>(
      'SELECT day, count FROM segment_counts WHERE segment_id = ? ORDER BY day',
      [row.id],
    );
    return rows.map((entry) => ({ day: entry.day, count: Number(entry.count) }));
  }

  /** Unknown names and values nobody holds, in the expression and in the saved segments it refers to. */
  private async warnings(expr: SegmentExpr): Promise<LocalizedText[]> {
    const resolved = await resolveSegmentRefs(expr, this.lookup);
    return [
      ...unknownNameWarnings(resolved, await loadVocabulary(this.db, this.declaredEventTypes())),
      ...(await valueWarnings(this.db, resolved)),
    ];
  }

  private compile(expr: SegmentExpr) {
    return compileSegment(expr, { dialect: this.db.dialect, now: this.clock(), segments: this.lookup });
  }

  /** Parses, checks that it compiles (references exist, no cycle through `self`), and answers the canonical text. */
  private async canonical(expression: unknown, self: string): Promise<string> {
    const expr = this.parseExpression(expression);
    await compileSegment(expr, {
      dialect: this.db.dialect,
      now: this.clock(),
      segments: async (name) => (name === self ? expr : this.lookup(name)),
    });
    return printSegment(expr);
  }

  /** Profiles as a preview lists them: masked name and identities, tags. */
  async sample(ids: number[]): Promise<SegmentPreview['sample']> {
    if (ids.length === 0) return [];
    const identities = await this.db.select<{ profile_id: number; type: string; value: string }>(
      'SELECT profile_id, type, value FROM identities WHERE profile_id IN (:ids) ORDER BY id',
      { ids },
    );
    const names = await this.db.select<{ profile_id: number; value: string }>(
      "SELECT profile_id, value FROM attributes WHERE profile_id IN (:ids) AND name = 'name'",
      { ids },
    );
    const tags = await this.db.select<{ profile_id: number; name: string }>(
      'SELECT profile_id, name FROM tags WHERE profile_id IN (:ids) ORDER BY name',
      { ids },
    );
    return ids.map((id) => {
      const name = names.find((row) => Number(row.profile_id) === id);
      const text = name ? String(JSON.parse(name.value)) : null;
      return {
        id,
        name: text ? `${[...text][0]}${'*'.repeat(Math.max(1, [...text].length - 1))}` : null,
        identities: identities
          .filter((row) => Number(row.profile_id) === id)
          .map((row) => ({ type: row.type, value: maskIdentity(row.type, row.value) })),
        tags: tags.filter((row) => Number(row.profile_id) === id).map((row) => row.name),
      };
    });
  }

  /** An operator's expression, tags named by their labels resolved. */
  private parseExpression(expression: unknown): SegmentExpr {
    return this.labels().resolve(parseText(expression));
  }

  private async row(name: string): Promise<SegmentRow> {
    const [row] = await this.db.select<SegmentRow>('SELECT * FROM segments WHERE name = ?', [name]);
    if (!row) throw new NotFoundError(segmentsText('segment.notFound', { name }));
    return row;
  }

  private view(row: SegmentRow): SegmentView {
    const time = (value: unknown) => this.db.parseTime(value)?.toISOString() ?? null;
    return {
      name: row.name,
      expression: row.expression,
      description: row.description,
      frozenAt: time(row.frozen_at),
      createdAt: time(row.created_at) ?? '',
      updatedAt: time(row.updated_at) ?? '',
    };
  }
}

function parseText(expression: unknown): SegmentExpr {
  if (typeof expression !== 'string' || expression.trim() === '')
    throw new ValidationError(segmentsText('segment.expressionRequired'));
  return parseSegment(expression);
}

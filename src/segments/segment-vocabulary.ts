import type { Database } from '../db/database';
import { knownAttributes } from '../profiles/attribute-catalog';
import { closestName } from './closest-name';
import { type SegmentExpr, segmentTerms } from './segment-ast';
import { segmentsText } from './segments.messages';
import type { LocalizedText } from '../i18n/message-catalog';

/** The names an expression can use that only the data knows: tags held, attributes set, event types recorded. */
export interface SegmentVocabulary {
  tags: readonly string[];
  attributes: readonly string[];
  eventTypes: readonly string[];
}

/** Fields that are not attributes (the profile row, or computed). */
const builtInFields = new Set(['source', 'channel', 'age', 'ageBand']);

/**
 * Reads the vocabulary, with the event types sources declare (a follower's first QR scan is a known word before it
 * happens). Each list is the distinct values of an index's first column, read by skipping through the
 * index (one seek per distinct value), which takes milliseconds on millions of rows: MySQL does that for DISTINCT
 * (a loose index scan); SQLite reads every entry for DISTINCT, so it is asked for one next value at a time.
 */
export async function loadVocabulary(
  db: Database,
  declaredEventTypes: readonly string[] = [],
): Promise<SegmentVocabulary> {
  const distinct = async (table: string, column: string) => {
    const sql = db.isMysql
      ? `SELECT DISTINCT ${column} AS name FROM ${table}`
      : `WITH RECURSIVE names (name) AS (
           SELECT MIN(${column}) FROM ${table}
           UNION ALL
           SELECT (SELECT MIN(${column}) FROM ${table} WHERE ${column} > names.name) FROM names WHERE names.name IS NOT NULL
         ) SELECT name FROM names WHERE name IS NOT NULL`;
    return (await db.select<{ name: string }>(sql)).map((row) => String(row.name));
  };
  return {
    tags: await distinct('tags', 'name'),
    attributes: [...new Set([...knownAttributes, ...(await distinct('attributes', 'name'))])],
    eventTypes: [...new Set([...(await distinct('events', 'type')), ...declaredEventTypes])],
  };
}

/**
 * Names the expression uses that nothing holds yet, each with the closest known one when it looks like a typo:
 * worth telling the operator, not an error (a rule may add the tag tomorrow). Catalogue messages: English in JSON
 * (the API), the reader's language in the bot.
 */
export function unknownNameWarnings(expr: SegmentExpr, vocabulary: SegmentVocabulary): LocalizedText[] {
  // By their English: the same name twice is one warning.
  const warnings = new Map<string, LocalizedText>();
  const check = (what: UnknownName, name: string, known: readonly string[]) => {
    if (known.includes(name)) return;
    const closest = closestName(name, known);
    const warning = closest
      ? segmentsText(`segment.warning.${what}.suggest`, { name, closest })
      : segmentsText(`segment.warning.${what}`, { name });
    warnings.set(warning.toJSON(), warning);
  };
  for (const term of segmentTerms(expr)) {
    if (term.kind === 'tag') check('noTagHolders', term.name, vocabulary.tags);
    else if ((term.kind === 'field' || term.kind === 'fieldIn') && !builtInFields.has(term.field)) {
      check(
        'noAttributeHolders',
        term.field.startsWith('attr.') ? term.field.slice('attr.'.length) : term.field,
        vocabulary.attributes,
      );
    } else if (term.kind === 'event' && term.types !== 'any') {
      for (const type of term.types) check('noEvents', type, vocabulary.eventTypes);
    }
  }
  return [...warnings.values()];
}

/** What a name is that nothing holds: a tag, an attribute, an event type. */
type UnknownName = 'noTagHolders' | 'noAttributeHolders' | 'noEvents';

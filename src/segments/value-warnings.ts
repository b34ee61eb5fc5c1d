import { pinyin } from 'pinyin-pro';
import type { Database } from '../db/database';
import { type LocalizedText, listOf } from '../i18n/message-catalog';
import { vocabularyText } from '../i18n/vocabulary.messages';
import { type AttributeValue, canonicalAttributeValue, caseInsensitiveAttributes } from '../profiles/attribute-catalog';
import { closestName } from './closest-name';
import { type SegmentExpr, segmentTerms } from './segment-ast';
import { segmentsText } from './segments.messages';

/** Chinese text in pinyin without tones or blanks (上海 → shanghai); other text as it is. */
const romanised = (text: string) =>
  /\p{Script=Han}/u.test(text) ? pinyin(text, { toneType: 'none', type: 'array' }).join('') : text;

/** Held values read to find the nearest: the most held first. */
const heldValuesRead = 200;

/** Fields that are not stored attributes (first touch), or that are read from the birthday. */
const notAttributes = new Set(['source', 'channel']);
const ageFields = new Set(['age', 'ageBand']);

/**
 * Values an expression asks for that nobody holds, each told with the nearest value people do hold and how many
 * (`没有人的城市是“上梅”；你是不是想找 上海（655 人）？`), or the most common ones; and conditions on age when nobody
 * has a birthday or an age band. A value is compared in its one spelling (上海市 is 上海). Not errors: the data may
 * come tomorrow.
 */
export async function valueWarnings(db: Database, expr: SegmentExpr): Promise<LocalizedText[]> {
  const asked = new Map<string, Set<AttributeValue>>();
  let asksAge = false;
  for (const term of segmentTerms(expr)) {
    if (term.kind !== 'field' && term.kind !== 'fieldIn') continue;
    if (ageFields.has(term.field)) asksAge = true;
    if (ageFields.has(term.field) || notAttributes.has(term.field)) continue;
    if (term.kind === 'field' && term.op !== '=') continue;
    const name = term.field.startsWith('attr.') ? term.field.slice('attr.'.length) : term.field;
    const values = term.kind === 'field' ? [term.value] : term.values;
    const set = asked.get(name) ?? new Set<AttributeValue>();
    for (const value of values) set.add(canonicalAttributeValue(name, value));
    asked.set(name, set);
  }
  const warnings: LocalizedText[] = [];
  if (asksAge) {
    const [someone] = await db.select<{ found: number }>(
      "SELECT 1 AS found FROM attributes WHERE name IN ('birthday', 'ageBand') LIMIT 1",
    );
    if (!someone) warnings.push(segmentsText('segment.warning.noAges'));
  }
  for (const [name, values] of asked) {
    let held: { value: string; holders: number }[] | undefined;
    for (const value of values) {
      const [found] = await db.select<{ found: number }>(
        caseInsensitiveAttributes.has(name) && typeof value === 'string'
          ? 'SELECT 1 AS found FROM attributes WHERE name = ? AND LOWER(value) = ? LIMIT 1'
          : 'SELECT 1 AS found FROM attributes WHERE name = ? AND value_key = ? LIMIT 1',
        [
          name,
          JSON.stringify(
            typeof value === 'string' && caseInsensitiveAttributes.has(name) ? value.toLowerCase() : value,
          ),
        ],
      );
      if (found) continue;
      held ??= (
        await db.selectLong<{ value: string; holders: number }>(
          `SELECT value_key AS value, COUNT(*) AS holders FROM attributes WHERE name = ? AND value_key IS NOT NULL
            GROUP BY value_key ORDER BY holders DESC, value_key LIMIT ${heldValuesRead}`,
          [name],
        )
      ).map((row) => ({ value: String(JSON.parse(row.value)), holders: Number(row.holders) }));
      // Nobody holds the attribute at all: the unknown-name warning says so.
      if (held.length === 0) continue;
      const attribute = vocabularyText('attribute', name);
      // A held value by its own spelling or by its pinyin (Shangai is near 上海 as shanghai).
      const spellings = held.flatMap((entry) =>
        [entry.value, romanised(entry.value)].map((spelling) => ({ spelling, entry })),
      );
      const closest = closestName(
        String(value),
        spellings.map((candidate) => candidate.spelling),
      );
      const match = spellings.find((candidate) => candidate.spelling === closest)?.entry;
      warnings.push(
        match
          ? segmentsText('segment.warning.noValueHolders.suggest', {
              attribute,
              value: String(value),
              closest: match.value,
              count: match.holders,
            })
          : segmentsText('segment.warning.noValueHolders.common', {
              attribute,
              value: String(value),
              values: listOf(
                held
                  .slice(0, 3)
                  .map((entry) => segmentsText('segment.valueHolders', { value: entry.value, count: entry.holders })),
              ),
            }),
      );
    }
  }
  return warnings;
}

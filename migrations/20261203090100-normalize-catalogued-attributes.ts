import { QueryTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';
import { normalizeAttribute } from '../src/profiles/attribute-catalog';

/** Attributes whose values now have one spelling each (places by their Chinese name, gender, language tags). */
const normalized = ['city', 'province', 'country', 'gender', 'language'];

/**
 * Values stored before places and language tags had one spelling each take it: `Shanghai`, `上海市` and `shanghai`
 * become `上海`, so an expression finds them whichever way it is typed. Done per distinct value (a few thousand at
 * most), one UPDATE each. Not undone: the old spellings are not kept.
 */
export async function up({ context: { sequelize } }: MigrationParams): Promise<void> {
  // No date bounds these attributes (only a birthday is bounded by today).
  const today = new Date(8.64e15);
  for (const name of normalized) {
    const rows = await sequelize.query<{ value: string }>('SELECT DISTINCT value FROM attributes WHERE name = ?', {
      replacements: [name],
      type: QueryTypes.SELECT,
    });
    for (const { value } of rows) {
      let stored: unknown;
      try {
        stored = JSON.parse(value);
      } catch {
        continue;
      }
      const result = normalizeAttribute(name, stored, today);
      if (!('value' in result) || result.value === null) continue;
      const next = JSON.stringify(result.value);
      if (next !== value)
        await sequelize.query('UPDATE attributes SET value = ? WHERE name = ? AND value = ?', {
          replacements: [next, name, value],
        });
    }
  }
}

export async function down(): Promise<void> {
  // The values keep their one spelling: nothing to undo.
}

/**
 * Terms one statement may chain: conditions joined by OR, or arms of a `CASE id WHEN … THEN …`. SQLite refuses an
 * expression tree deeper than 1,000 and counts each as a level ("Expression tree is too large"), so statements built
 * from a list are cut into parts of this many items, on every database.
 */
export const maxChainedTerms = 400;

/** Most values one statement binds: SQLite refuses more than 32,766 ("too many SQL variables"), MySQL 65,535. */
export const maxBoundValues = 30_000;

/**
 * `terms` joined by `op` in one bracketed condition that stays within SQLite's expression depth however many there
 * are: up to `maxChainedTerms` as a flat chain (the common case reads as written), more as a balanced tree of brackets,
 * whose depth grows with log2 of the count instead of the count.
 */
export function chainTerms(terms: readonly string[], op: 'AND' | 'OR'): string {
  if (terms.length <= maxChainedTerms) return `(${terms.join(` ${op} `)})`;
  const half = Math.ceil(terms.length / 2);
  return `(${chainTerms(terms.slice(0, half), op)} ${op} ${chainTerms(terms.slice(half), op)})`;
}

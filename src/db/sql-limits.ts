/**
 * Terms one statement may chain: conditions joined by OR, or arms of a `CASE id WHEN … THEN …`. SQLite refuses an
 * expression tree deeper than 1,000 and counts each as a level ("Expression tree is too large"), so statements built
 * from a list are cut into parts of this many items, on every database.
 */
export const maxChainedTerms = 400;

/** Most values one statement binds: SQLite refuses more than 32,766 ("too many SQL variables"), MySQL 65,535. */
export const maxBoundValues = 30_000;

/** The profiles room's own errors. */

/** An event whose identities are all on the blocked list: it can't be put on anyone's timeline. */
export class BlockedIdentitiesError extends Error {}

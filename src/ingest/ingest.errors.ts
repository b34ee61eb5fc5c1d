/** The ingest room's own errors. */

/** A payload that can never be processed, however often it is retried. */
export class UnprocessableEntryError extends Error {}

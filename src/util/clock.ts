/**
 * What time it is. Persona reads the time only through a Clock handed to it, so every decision that depends on the
 * hour, the day or the month (quiet hours, quotas, "today", expiry) can be pinned by a test and agrees within a request.
 */
export type Clock = () => Date;

/** The process's wall clock: the one place Persona reads it. Only the composition root hands it out. */
export const systemClock: Clock = () => new Date();

/**
 * A monotonic reading in milliseconds, for durations and waits (how long a job took, a deadline for an answer): these
 * measure elapsed time, which neither a pinned clock nor a wall-clock jump may distort.
 */
export const monotonicMs = (): number => performance.now();

import { UnsupportedMediaTypeError, ValidationError } from '../errors/app.errors';
import { type FieldProblem, partitionEvents, type Rejection } from '../ingest/event-batch';
import type { InboundEvent } from '../ingest/inbound-event';
import { type Clock, monotonicMs } from '../util/clock';
import type { AppContext } from './http-state';
import { readRawBody } from './read-body';

/** Turns one item of the batch into an event, or says what is wrong with it. */
export type ItemConverter = (item: unknown, receivedAt: Date) => InboundEvent | { problems: FieldProblem[] };

/** How a way in takes a batch of events (every webhook and `POST /api/events`). */
export interface BatchIntakeOptions {
  /** What one item is called in answers: `event`, `beacon`. */
  noun: string;
  /** Largest body, in bytes: past it 413, never buffered. */
  bodyLimitBytes: number;
  /** Most items in one request. */
  maxBatch: number;
  /**
   * Where the items are: `{"events": [...]}`; a bare array; one item or `{"events": [...]}` (the admin API); or any of
   * the three (beacons).
   */
  envelope: 'events' | 'array' | 'one-or-events' | 'any';
  /** Only this content type is taken (415 otherwise); unset: any (a beacon may come as text/plain). */
  contentType?: 'application/json';
  /**
   * Checks the request's signature over the raw body, before anything of it is parsed; throws (401) when it doesn't
   * hold. Unset only where the route authenticates its caller otherwise (the admin API's keys).
   */
  verify?(raw: Buffer, ctx: AppContext): void;
  /**
   * The converter for this request's items, given them all first: a source that must read something for the valid
   * ones (HubSpot's API) does it here, once for the batch (`startedMs`: when the request came, on `monotonicMs`).
   */
  converter(
    items: readonly unknown[],
    request: { ctx: AppContext; startedMs: number },
  ): ItemConverter | Promise<ItemConverter>;
  /** Stores the accepted events durably; answers how many the inbox already held. */
  submit(events: InboundEvent[], ctx: AppContext): Promise<{ duplicates: number }>;
  /**
   * A request with no valid item: 400 (`fail`, the default), or answered like any other (`answer`: a sender that would
   * only deliver the same items again, as HubSpot does after an error).
   */
  whenNoneValid?: 'fail' | 'answer';
  /** The status of an answer: 202 (stored, not yet processed) unless the sender expects 200. */
  status?: 200 | 202;
  /** Told how many items of a request were rejected, and then how many were stored (metrics). */
  observe?(outcome: 'accepted' | 'rejected', count: number): void;
  clock: Clock;
}

/** What every batch intake answers: `duplicates` are accepted events the inbox already held (a retry). */
export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: Rejection[];
}

/**
 * The one way events come in over HTTP: the body read within its limit, the signature verified over the raw bytes
 * before parsing, the JSON parsed and the batch's size checked, every item checked on its own (`partitionEvents`:
 * depth, keys, storability) so one bad item never costs the others, the valid ones stored before the answer, and the
 * invalid ones reported by index.
 */
export function batchIntake(options: BatchIntakeOptions): (ctx: AppContext) => Promise<void> {
  return async (ctx) => {
    const startedMs = monotonicMs();
    if (options.contentType && !ctx.is(options.contentType)) throw new UnsupportedMediaTypeError(options.contentType);
    const raw = await readRawBody(ctx, options.bodyLimitBytes);
    options.verify?.(raw, ctx);
    const { items, single } = itemsOf(parseJson(raw), options);
    const convert = await options.converter(items, { ctx, startedMs });
    const receivedAt = options.clock();
    const { accepted, rejected } = partitionEvents(items, (item) => convert(item, receivedAt), receivedAt);
    options.observe?.('rejected', rejected.length);
    if (accepted.length === 0 && options.whenNoneValid !== 'answer') {
      throw new ValidationError(
        single ? `the ${options.noun} is not valid` : `no valid ${options.noun} in the request`,
        { errors: rejected },
      );
    }
    const { duplicates } = accepted.length > 0 ? await options.submit(accepted, ctx) : { duplicates: 0 };
    options.observe?.('accepted', accepted.length);
    ctx.status = options.status ?? 202;
    const answer: BatchAnswer = { accepted: accepted.length, duplicates, rejected: rejected.length, errors: rejected };
    ctx.body = answer;
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new ValidationError('the body is not valid JSON');
  }
}

function itemsOf(json: unknown, options: BatchIntakeOptions): { items: unknown[]; single: boolean } {
  const { noun, maxBatch } = options;
  let items: unknown[];
  let single = false;
  if (options.envelope === 'array' || (options.envelope === 'any' && Array.isArray(json))) {
    if (!Array.isArray(json)) throw new ValidationError(`expected a JSON array of ${noun}s`);
    items = json;
  } else {
    const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
    if (options.envelope === 'events' && !(isObject && 'events' in json))
      throw new ValidationError(`expected {"events": [...]}`);
    if (options.envelope === 'one-or-events' && !isObject)
      throw new ValidationError(`expected a${/^[aeiou]/.test(noun) ? 'n' : ''} ${noun} object or {"events": [...]}`);
    if (isObject && 'events' in json) {
      const events = (json as { events: unknown }).events;
      if (!Array.isArray(events)) {
        if (options.envelope !== 'any') throw new ValidationError('events: expected an array');
        items = [events];
      } else items = events;
    } else {
      items = [json];
      single = true;
    }
  }
  if (items.length === 0) throw new ValidationError(`events: expected at least one ${noun}`);
  if (items.length > maxBatch)
    throw new ValidationError(`events: at most ${maxBatch} ${noun}s per request, got ${items.length}`);
  return { items, single };
}

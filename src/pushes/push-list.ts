import { Keyset } from '../util/paging';
import type { PushStatus } from './push-status';

/** `GET /api/pushes` and `/pushes`: newest first by id. */
export const pushPages = new Keyset<{ id: number }>({
  list: 'pushes',
  keys: [{ column: 'id', kind: 'id' }],
  direction: 'desc',
  keyOf: (row) => [Number(row.id)],
});

/**
 * The stored rows behind a status as operators see it. A confirmed push is stored `sending` and shown `scheduled`
 * while its send time is still to come, a plan stored `planned` is shown `expired` past its window, so they are told
 * apart here, in SQL: filtering after the LIMIT would
 * leave pages short and cursors pointing past rows never shown.
 */
export function pushStatusCondition(
  status: PushStatus | undefined,
  now: Date,
): { sql: string; values: Record<string, unknown> } {
  if (status === undefined) return { sql: '1 = 1', values: {} };
  if (status === 'planned')
    return { sql: "status = 'planned' AND (expires_at IS NULL OR expires_at > :now)", values: { now } };
  if (status === 'expired') return { sql: "status = 'planned' AND expires_at <= :now", values: { now } };
  if (status === 'scheduled') return { sql: "status = 'sending' AND send_at > :now", values: { now } };
  if (status === 'sending')
    return { sql: "status = 'sending' AND (send_at IS NULL OR send_at <= :now)", values: { now } };
  return { sql: 'status = :status', values: { status } };
}

import { ValidationError } from '../errors/validation.error';

/** A position in a newest-first timeline: the last event shown. Opaque to callers. */
export interface TimelineCursor {
  occurredAt: Date;
  id: number;
}

export function encodeCursor(cursor: TimelineCursor): string {
  return Buffer.from(`${cursor.occurredAt.getTime()}:${cursor.id}`).toString('base64url');
}

export function decodeCursor(text: string): TimelineCursor {
  const match = /^(\d{1,15}):(\d{1,18})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('before: not a cursor this API gave out', { field: 'before' });
  return { occurredAt: new Date(Number(match[1])), id: Number(match[2]) };
}

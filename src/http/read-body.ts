import getRawBody from 'raw-body';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors/app.errors';
import type { AppContext } from './http-state';

/**
 * Reads the request body as bytes, refusing more than `limitBytes` (413) without buffering it. What was not read is
 * discarded so the client sees the 413 instead of a reset connection.
 */
export async function readRawBody(ctx: AppContext, limitBytes: number): Promise<Buffer> {
  const declared = ctx.get('content-length');
  try {
    return await getRawBody(ctx.req, { limit: limitBytes, length: declared || undefined });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      ctx.req.resume();
      ctx.set('Connection', 'close');
      throw new PayloadTooLargeError(limitBytes);
    }
    if (type === 'request.size.invalid' || type === 'request.aborted') {
      throw new ValidationError('the request body ended before its declared length');
    }
    throw error;
  }
}

/** A JSON body, with 415 for another content type, 413 past the limit and 400 for text that isn't JSON. */
export async function readJsonBody(ctx: AppContext, limitBytes: number): Promise<{ raw: Buffer; json: unknown }> {
  if (!ctx.is('application/json')) throw new UnsupportedMediaTypeError('application/json');
  const raw = await readRawBody(ctx, limitBytes);
  try {
    return { raw, json: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    throw new ValidationError('the body is not valid JSON');
  }
}

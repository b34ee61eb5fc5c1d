import type { Next } from 'koa';
import { translateDbError } from '../../db/db-error-translation';
import { AppError } from '../../errors/app.errors';
import type { AppContext } from '../http-state';

interface HttpLikeError {
  status?: number;
  expose?: boolean;
  message?: string;
}

const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  501: 'not_implemented',
};

/**
 * The one place errors become HTTP answers: `{ error: { code, message, details } }`. Persona's own errors carry their
 * status; client errors from Koa and the router keep theirs; anything else is logged with the request id and
 * answered as a bare 500 that reveals nothing.
 */
export function errorHandler() {
  return async (ctx: AppContext, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'not_found', message: `no route for ${ctx.method} ${ctx.path}` } };
      }
    } catch (thrown) {
      const error = translateDbError(thrown);
      if (error instanceof AppError) {
        ctx.status = error.status;
        ctx.body = { error: { code: error.code, message: error.message, details: error.details } };
        if (error.status >= 500) ctx.state.log.error({ err: error }, 'request failed');
        return;
      }
      const httpError = error as HttpLikeError;
      if (httpError?.expose && httpError.status && httpError.status < 500) {
        ctx.status = httpError.status;
        ctx.body = { error: { code: codeByStatus[httpError.status] ?? 'bad_request', message: httpError.message } };
        return;
      }
      ctx.state.log.error({ err: error }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error', message: 'internal error' } };
    }
  };
}

import type { Next } from 'koa';
import { ForbiddenError, UnauthorizedError } from '../../errors/app.errors';
import type { Authenticator } from '../authenticator';
import type { AppContext } from '../http-state';

/** `admin`: the admin token only. `write`: the admin token or any write key. */
export type Access = 'admin' | 'write';

export function requireAuth(authenticator: Authenticator, access: Access) {
  return async (ctx: AppContext, next: Next) => {
    const principal = authenticator.authenticate(ctx.get('authorization'));
    if (!principal) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedError();
    }
    if (access === 'admin' && principal.kind !== 'admin') throw new ForbiddenError('this needs the admin token');
    ctx.state.principal = principal;
    await next();
  };
}

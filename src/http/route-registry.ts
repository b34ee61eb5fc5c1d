import Router from '@koa/router';
import type { Middleware, Next } from 'koa';
import type { Authenticator } from './authenticator';
import type { AppContext, AppState } from './http-state';
import { type Access, requireAuth } from './middleware/auth.middleware';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A route a plugin adds. Webhooks verify their own signatures (`auth: 'none'`); others use the API's tokens. */
export interface RouteDefinition {
  method: HttpMethod;
  path: string;
  auth: Access | 'none';
  handler: (ctx: AppContext) => Promise<void>;
}

interface Entry {
  owner: string;
  route: RouteDefinition;
}

/**
 * Routes added at run time by plugins. Each registration answers its own removal, and the router is rebuilt from
 * what is registered, so a stopped plugin's routes are gone (404), not dangling.
 */
export class RouteRegistry {
  private readonly entries: Entry[] = [];
  private router: Router<AppState> | undefined;

  constructor(private readonly authenticator: Authenticator) {}

  add(owner: string, route: RouteDefinition): () => void {
    const clash = this.entries.find((entry) => entry.route.method === route.method && entry.route.path === route.path);
    if (clash) throw new Error(`${route.method} ${route.path} is already registered by ${clash.owner}`);
    const entry = { owner, route };
    this.entries.push(entry);
    this.router = undefined;
    return () => {
      const index = this.entries.indexOf(entry);
      if (index >= 0) this.entries.splice(index, 1);
      this.router = undefined;
    };
  }

  middleware(): Middleware<AppState> {
    return (ctx, next: Next) => {
      this.router ??= this.build();
      return this.router.routes()(ctx as never, next);
    };
  }

  private build(): Router<AppState> {
    const router = new Router<AppState>();
    for (const { route } of this.entries) {
      const stack = route.auth === 'none' ? [] : [requireAuth(this.authenticator, route.auth)];
      router.register(route.path, [route.method], [...stack, route.handler] as never[]);
    }
    return router;
  }
}

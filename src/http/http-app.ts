import type Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics';
import type { AppState } from './http-state';
import { errorHandler } from './middleware/error.middleware';
import { requestContext } from './middleware/request-context.middleware';
import type { RouteRegistry } from './route-registry';

export interface HttpAppOptions {
  log: Logger;
  metrics: Metrics;
  trustProxy: boolean;
  routers: Router<AppState>[];
  pluginRoutes: RouteRegistry;
}

/** The Koa app: request context and logging, one error handler, the core routers, then plugin routes. */
export function createHttpApp(options: HttpAppOptions): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: options.trustProxy });
  app.silent = true;
  app.use(requestContext(options.log, options.metrics));
  app.use(errorHandler());
  for (const router of options.routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(options.pluginRoutes.middleware());
  return app;
}

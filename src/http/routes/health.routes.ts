import Router from '@koa/router';
import type { AppState } from '../http-state';

export interface Readiness {
  /** True once shutdown has begun: load balancers should stop sending traffic. */
  shuttingDown(): boolean;
  database(): Promise<void>;
  migrationsCurrent(): Promise<boolean>;
}

/** `/healthz`: the process answers. `/readyz`: it can serve (database reachable, schema current, not stopping). */
export function healthRoutes(readiness: Readiness): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks: Record<string, string> = {};
    try {
      await readiness.database();
      checks.database = 'ok';
      checks.migrations = (await readiness.migrationsCurrent()) ? 'current' : 'pending';
    } catch (error) {
      checks.database = 'unreachable';
      ctx.state.log.warn({ err: error }, 'readiness check: database unreachable');
    }
    if (readiness.shuttingDown()) checks.server = 'shutting-down';
    const ready = checks.database === 'ok' && checks.migrations === 'current' && !readiness.shuttingDown();
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not-ready', checks };
  });
  return router;
}

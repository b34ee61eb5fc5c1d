import Router from '@koa/router';
import type { Metrics } from '../../metrics/metrics';
import type { AppState } from '../http-state';

/** Prometheus exposition. */
export function metricsRoutes(metrics: Metrics): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}

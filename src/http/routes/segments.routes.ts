import Router from '@koa/router';
import type { SegmentService } from '../../segments/segment.service';
import type { Authenticator } from '../authenticator';
import { ValidationError } from '../../errors/validation.error';
import type { AppContext, AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { readJsonBody } from '../read-body';

/** Saved segments and previews (admin token). */
export function segmentsRoutes(deps: { authenticator: Authenticator; segments: SegmentService; bodyLimitBytes: number }): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));
  const body = async (ctx: AppContext): Promise<Record<string, unknown>> => {
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ValidationError('expected a JSON object');
    return json as Record<string, unknown>;
  };

  router.get('/api/segments', async (ctx) => {
    ctx.body = { segments: await deps.segments.list() };
  });

  router.post('/api/segments/preview', async (ctx) => {
    ctx.body = await deps.segments.preview((await body(ctx)).expression);
  });

  router.post('/api/segments', async (ctx) => {
    const input = await body(ctx);
    ctx.status = 201;
    ctx.body = await deps.segments.create({ name: input.name, expression: input.expression, description: input.description });
  });

  router.get('/api/segments/:name', async (ctx) => {
    ctx.body = { ...(await deps.segments.get(ctx.params.name)), count: await deps.segments.countOf(ctx.params.name) };
  });

  router.put('/api/segments/:name', async (ctx) => {
    const input = await body(ctx);
    ctx.body = await deps.segments.update(ctx.params.name, { expression: input.expression, description: input.description });
  });

  router.delete('/api/segments/:name', async (ctx) => {
    await deps.segments.delete(ctx.params.name);
    ctx.status = 204;
  });

  router.post('/api/segments/:name/freeze', async (ctx) => {
    const members = await deps.segments.freeze(ctx.params.name);
    ctx.body = { ...(await deps.segments.get(ctx.params.name)), members };
  });

  router.get('/api/segments/:name/history', async (ctx) => {
    ctx.body = { history: await deps.segments.history(ctx.params.name) };
  });
  return router;
}

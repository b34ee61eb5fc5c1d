import Router from '@koa/router';
import { z } from 'zod';
import type { SegmentService } from '../../segments/segment.service';
import type { Authenticator } from '../authenticator';
import { ValidationError } from '../../errors/app.errors';
import type { AppContext, AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { readJsonBody } from '../read-body';
import { parseInput } from '../../util/parse-input';
import { pageAnswer, pageQuery } from '../../util/paging';

const listQuery = z.object(pageQuery);

/** Saved segments and previews (admin token). */
export function segmentsRoutes(deps: {
  authenticator: Authenticator;
  segments: SegmentService;
  bodyLimitBytes: number;
}): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));
  const body = async (ctx: AppContext): Promise<Record<string, unknown>> => {
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new ValidationError('expected a JSON object');
    return json as Record<string, unknown>;
  };

  router.get('/api/segments', async (ctx) => {
    const page = await deps.segments.list(parseInput(listQuery, ctx.query, 'query'));
    // Each with its live count, as GET /api/segments/:name answers it: a page bounds how many are counted at once.
    const segments = [];
    for (const segment of page.items) segments.push({ ...segment, count: await deps.segments.countOf(segment.name) });
    ctx.body = pageAnswer('segments', { items: segments, nextCursor: page.nextCursor });
  });

  router.post('/api/segments/preview', async (ctx) => {
    ctx.body = await deps.segments.preview((await body(ctx)).expression);
  });

  router.post('/api/segments', async (ctx) => {
    const input = await body(ctx);
    ctx.status = 201;
    ctx.body = await deps.segments.create({
      name: input.name,
      expression: input.expression,
      description: input.description,
    });
  });

  router.get('/api/segments/:name', async (ctx) => {
    ctx.body = { ...(await deps.segments.get(ctx.params.name)), count: await deps.segments.countOf(ctx.params.name) };
  });

  router.put('/api/segments/:name', async (ctx) => {
    const input = await body(ctx);
    ctx.body = await deps.segments.update(ctx.params.name, {
      expression: input.expression,
      description: input.description,
    });
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

import Router from '@koa/router';
import { z } from 'zod';
import type { PushService } from '../../pushes/push.service';
import { pushStatuses } from '../../pushes/push-status';
import { actorOf } from '../actor';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { parseInput, recordId } from '../../util/parse-input';
import { readJsonBody } from '../read-body';
import { pageAnswer, pageQuery } from '../../util/paging';

const listQuery = z
  .object({
    ...pageQuery,
    status: z.enum(pushStatuses, { error: `expected ${pushStatuses.join(', ')}` }).optional(),
  })
  .strict();

/** Pushes (admin token): plan, confirm, cancel, and where each stands. */
export function pushesRoutes(deps: {
  authenticator: Authenticator;
  pushes: PushService;
  bodyLimitBytes: number;
  wake(): void;
}): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));
  const pushId = (value: unknown) => parseInput(recordId('a push id'), value, 'id');

  router.post('/api/pushes', async (ctx) => {
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    ctx.status = 201;
    ctx.body = await deps.pushes.plan(json, actorOf(ctx));
  });

  router.get('/api/pushes', async (ctx) => {
    const query = parseInput(listQuery, ctx.query, 'query');
    ctx.body = pageAnswer('pushes', await deps.pushes.list(query));
  });

  router.get('/api/pushes/:id', async (ctx) => {
    const id = pushId(ctx.params.id);
    const push = await deps.pushes.get(id);
    ctx.body = { ...push, report: await deps.pushes.report(id) };
  });

  router.post('/api/pushes/:id/confirm', async (ctx) => {
    const push = await deps.pushes.confirm(pushId(ctx.params.id), actorOf(ctx));
    deps.wake();
    ctx.body = push;
  });

  router.post('/api/pushes/:id/preview', async (ctx) => {
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    ctx.body = await deps.pushes.preview(pushId(ctx.params.id), json);
  });

  router.post('/api/pushes/:id/cancel', async (ctx) => {
    const id = pushId(ctx.params.id);
    const push = await deps.pushes.cancel(id, actorOf(ctx));
    ctx.body = { ...push, report: await deps.pushes.report(id) };
  });
  return router;
}

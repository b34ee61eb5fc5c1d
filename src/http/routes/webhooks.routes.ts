import Router from '@koa/router';
import { z } from 'zod';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.repository';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { parseInput, recordId } from '../../util/parse-input';
import { pageAnswer, pageQuery } from '../../util/paging';

const deliveriesQuery = z.object({
  ...pageQuery,
  status: z
    .enum(['pending', 'delivering', 'delivered', 'failed'], {
      error: 'expected pending, delivering, delivered or failed',
    })
    .optional(),
  subscriber: z.string().max(64).optional(),
});

/** The outbound webhook outbox for operators: what was sent, what is waiting, and the dead letters (admin token). */
export function webhooksRoutes(deps: {
  authenticator: Authenticator;
  outbox: WebhookOutbox;
  wake(): void;
}): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));

  router.get('/api/webhooks/deliveries', async (ctx) => {
    ctx.body = pageAnswer('deliveries', await deps.outbox.list(parseInput(deliveriesQuery, ctx.query, 'query')));
  });

  router.post('/api/webhooks/deliveries/:id/retry', async (ctx) => {
    const delivery = await deps.outbox.retry(parseInput(recordId('a delivery id'), ctx.params.id, 'id'));
    deps.wake();
    ctx.body = { delivery };
  });
  return router;
}

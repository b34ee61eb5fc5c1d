import Router from '@koa/router';
import type { PushClicks } from '../../pushes/push-clicks';
import type { AppState } from '../http-state';

/** Tracked links in pushes (`/r/<token>`, no auth: followers follow them): record the click, send them on. */
export function linksRoutes(deps: { clicks: PushClicks }): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/r/:token', async (ctx) => {
    const url = await deps.clicks.follow(ctx.params.token);
    if (!url) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'This link is not valid.';
      return;
    }
    ctx.set('cache-control', 'no-store');
    ctx.redirect(url);
  });
  return router;
}

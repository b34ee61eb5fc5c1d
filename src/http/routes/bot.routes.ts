import Router from '@koa/router';
import { z } from 'zod';
import type { BotAuditService } from '../../bot/bot-audit.service';
import type { BotEngine } from '../../bot/bot-engine';
import type { ChartStore } from '../../bot/chart-store.repository';
import { ForbiddenError, NotFoundError } from '../../errors/app.errors';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { parseInput } from '../../util/parse-input';
import { readJsonBody } from '../read-body';
import { pageAnswer, pageQuery } from '../../util/paging';

const commandSchema = z
  .object({
    /** The configured operator (contact) the command runs as. */
    operator: z.string().min(1).max(128),
    text: z.string().min(1).max(4000),
    /** The other chat tool's message id: a message sent twice is answered once. */
    messageId: z.string().min(1).max(128).optional(),
  })
  .strict();

const auditQuery = z.object(pageQuery);

/** The bot for other chat tools (`POST /api/bot/commands`) and its WeChat connection's state (admin token). */
export function botRoutes(deps: {
  authenticator: Authenticator;
  bot: {
    engine: Pick<BotEngine, 'handle'>;
    audit: Pick<BotAuditService, 'list'>;
    charts: Pick<ChartStore, 'png'>;
    status(): object;
  };
}): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));

  router.post('/api/bot/commands', async (ctx) => {
    const { json } = await readJsonBody(ctx, 16 * 1024);
    const input = parseInput(commandSchema, json, 'command');
    const answer = await deps.bot.engine.handle({
      transport: 'http',
      sender: { id: input.operator },
      text: input.text,
      ...(input.messageId ? { messageId: input.messageId } : {}),
    });
    if (answer.outcome === 'unknown_sender')
      throw new ForbiddenError(`${input.operator} is not an operator: list them under bot.operators`);
    // A chart is a link (with the data it shows beside it); the picture itself stays out of the JSON.
    const images = answer.images.map(({ url, name, data }) => ({ url, name, ...(data !== undefined ? { data } : {}) }));
    ctx.body = { replies: answer.replies, images, outcome: answer.outcome };
  });

  router.get('/api/bot/charts/:file', async (ctx) => {
    const token = /^([A-Za-z0-9_-]{16})\.png$/.exec(ctx.params.file)?.[1];
    const png = token ? await deps.bot.charts.png(token) : undefined;
    if (!png) throw new NotFoundError('no such chart (charts are kept a week)');
    ctx.type = 'image/png';
    ctx.set('Cache-Control', 'private, max-age=604800, immutable');
    ctx.body = png;
  });

  router.get('/api/bot/status', (ctx) => {
    ctx.body = deps.bot.status();
  });

  router.get('/api/bot/audit', async (ctx) => {
    ctx.body = pageAnswer('entries', await deps.bot.audit.list(parseInput(auditQuery, ctx.query, 'query')));
  });
  return router;
}

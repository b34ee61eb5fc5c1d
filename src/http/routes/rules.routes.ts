import Router from '@koa/router';
import type { Logger } from 'pino';
import { ValidationError } from '../../errors/app.errors';
import type { ProfileExplainer } from '../../rules/profile-explainer';
import type { RulesBackfill } from '../../rules/rules-backfill';
import type { RulesPreview } from '../../rules/rules-preview';
import { parseRulesDocument, type RulesProvider } from '../../rules/rules-provider';
import { actorOf } from '../actor';
import type { Authenticator } from '../authenticator';
import type { AppContext, AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { parseInput, recordId } from '../../util/parse-input';
import { readJsonBody } from '../read-body';
import type { Clock } from '../../util/clock';

export interface RulesRouteDeps {
  authenticator: Authenticator;
  rules: RulesProvider;
  explainer: ProfileExplainer;
  preview: RulesPreview;
  backfill: RulesBackfill;
  clock: Clock;
  log: Logger;
  bodyLimitBytes: number;
}

/** The rules in force, what a change would do and applying it, and why a profile has its score and tags (admin token). */
export function rulesRoutes(deps: RulesRouteDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));
  const profileId = recordId('a profile id');
  const documentOf = async (ctx: AppContext) => {
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    const rules = (json as { rules?: unknown } | null)?.rules;
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules))
      throw new ValidationError('rules: expected {"rules": {"scoring": [...], "tags": {...}}}');
    return parseRulesDocument(rules);
  };

  router.get('/api/rules', (ctx) => {
    ctx.body = { rules: deps.rules.current.document, backfill: deps.backfill.status };
  });

  router.post('/api/rules/preview', async (ctx) => {
    ctx.body = await deps.preview.preview(await documentOf(ctx), deps.clock());
  });

  // Long on a big audience: answers 202 once the database has accepted the rules and backfills in the background
  // (GET /api/rules shows progress and how it ended); ?wait=true answers when it is done. Rules the database refuses
  // are a 400 either way, and an apply that fails later changes nothing (see RulesBackfill).
  router.post('/api/rules/apply', async (ctx) => {
    const document = await documentOf(ctx);
    const run = deps.backfill.start(document, actorOf(ctx), deps.clock(), deps.log);
    if (ctx.query.wait === 'true') {
      ctx.body = { rules: document, backfill: await run.done };
      return;
    }
    run.done.catch(() => undefined);
    await run.accepted;
    ctx.status = 202;
    ctx.body = { rules: document, backfill: deps.backfill.status };
  });

  router.get('/api/profiles/:id/explain', async (ctx) => {
    ctx.body = await deps.explainer.explain(
      parseInput(profileId, ctx.params.id, 'id'),
      deps.rules.current,
      deps.clock(),
    );
  });

  return router;
}

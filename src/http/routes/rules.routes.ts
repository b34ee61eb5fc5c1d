import Router from '@koa/router';
import type { ProfileExplainer } from '../../rules/profile-explainer';
import type { RulesProvider } from '../../rules/rules.provider';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { parseInput, recordId } from '../parse-input';

/** The rules in force and why a profile has its score and tags (admin token). */
export function rulesRoutes(deps: { authenticator: Authenticator; rules: RulesProvider; explainer: ProfileExplainer; clock: () => Date }): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));
  const profileId = recordId('a profile id');

  router.get('/api/rules', (ctx) => {
    ctx.body = { rules: deps.rules.current.document };
  });

  router.get('/api/profiles/:id/explain', async (ctx) => {
    ctx.body = await deps.explainer.explain(parseInput(profileId, ctx.params.id, 'id'), deps.rules.current, deps.clock());
  });

  return router;
}

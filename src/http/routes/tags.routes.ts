import Router from '@koa/router';
import { z } from 'zod';
import { tagName } from '../../config/config-fields';
import type { ProfileService } from '../../profiles/profile.service';
import type { OperatorTags } from '../../rules/operator-tags';
import { actorOf } from '../actor';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { parseInput, recordId } from '../../util/parse-input';
import { readJsonBody } from '../read-body';

const tagBody = z
  .object({
    tag: tagName,
    /** When the tag goes (ISO 8601); without it, it stays until removed. */
    expiresAt: z.iso
      .datetime({ offset: true, error: 'expected an ISO 8601 time such as 2026-12-31T16:00:00Z' })
      .optional(),
  })
  .strict();

/** Operators' own tags on a profile (admin token). A tag name with a slash is URL-encoded in the path (interest%2Fsports). */
export function tagsRoutes(deps: {
  authenticator: Authenticator;
  operatorTags: OperatorTags;
  profiles: ProfileService;
  bodyLimitBytes: number;
}): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));
  const profileId = recordId('a profile id');

  router.post('/api/profiles/:id/tags', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    const { tag, expiresAt } = parseInput(tagBody, json, 'body');
    const { profileId: liveId, added } = await deps.operatorTags.add(
      id,
      tag,
      expiresAt ? new Date(expiresAt) : null,
      actorOf(ctx),
    );
    ctx.status = added ? 201 : 200;
    ctx.body = { added, tags: (await deps.profiles.get(liveId)).tags };
  });

  router.delete('/api/profiles/:id/tags/:tag', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    const tag = parseInput(tagName, ctx.params.tag, 'tag');
    const { profileId: liveId, removed } = await deps.operatorTags.remove(id, tag, actorOf(ctx));
    ctx.body = { removed, tags: (await deps.profiles.get(liveId)).tags };
  });

  return router;
}

import Router from '@koa/router';
import { z } from 'zod';
import { ValidationError } from '../../errors/app.errors';
import { type AttributeValue, normalizeAttributes } from '../../profiles/attribute-catalog';
import { defaultOpenidScope, type IdentityType, identityTypes } from '../../profiles/identity';
import { normalizeIdentity } from '../../profiles/identity-normalizer';
import type { ProfileMerger } from '../../profiles/profile-merger';
import type { ProfileService } from '../../profiles/profile.service';
import type { TimelineService } from '../../timeline/timeline.service';
import type { Authenticator } from '../authenticator';
import type { AppState } from '../http-state';
import { requireAuth } from '../middleware/auth.middleware';
import { actorOf } from '../actor';
import { parseInput, recordId } from '../../util/parse-input';
import { readJsonBody } from '../read-body';
import { ownValue } from '../../util/own-value';
import type { Clock } from '../../util/clock';
import { pageAnswer, pageQuery } from '../../util/paging';
import { timelineQuery } from '../timeline-query';

export interface ProfilesRouteDeps {
  authenticator: Authenticator;
  profiles: ProfileService;
  timeline: TimelineService;
  bodyLimitBytes: number;
  clock: Clock;
  /** Erases a person; answers what was removed. */
  erase(profileId: number, actor: string): Promise<unknown>;
  /** Everything Persona holds about a person, by table. */
  exportPerson(profileId: number, actor: string): Promise<unknown>;
  merger: ProfileMerger;
  /**
   * Writes attributes as the operator (the most trusted source by default) on the live profile behind the id;
   * answers that profile and the names that changed.
   */
  updateAttributes(
    profileId: number,
    values: Record<string, AttributeValue | null>,
  ): Promise<{ profileId: number; changed: string[] }>;
}

/** Identity types as answers spell them, and the camelCase spellings lookups took before (still accepted). */
const queryIdentityTypes: Record<string, IdentityType> = Object.fromEntries([
  ...identityTypes.map((type) => [type, type]),
  ['crmId', 'crm_id'],
  ['anonymousId', 'anonymous_id'],
]);

const profileId = recordId('a profile id');
const mergeId = recordId('a merge id');

const mergesQuery = z.object({
  ...pageQuery,
  status: z
    .enum(['suggested', 'merged', 'unmerged', 'rejected'], {
      error: 'expected suggested, merged, unmerged or rejected',
    })
    .default('suggested'),
});

/** Reading profiles and their timelines (admin token). */
export function profilesRoutes(deps: ProfilesRouteDeps): Router<AppState> {
  const router = new Router<AppState>();
  router.use(requireAuth(deps.authenticator, 'admin'));

  router.get('/api/profiles', async (ctx) => {
    const identity = typeof ctx.query.identity === 'string' ? ctx.query.identity : undefined;
    if (!identity) throw new ValidationError('identity: expected ?identity=<type>:<value>, e.g. email:a@b.com');
    const separator = identity.indexOf(':');
    const type = ownValue(queryIdentityTypes, identity.slice(0, Math.max(separator, 0)));
    if (separator <= 0 || !type) {
      throw new ValidationError(`identity: expected a type among ${identityTypes.join(', ')}`);
    }
    // openid and crm_id are scoped (to an account, to a CRM source): `openid:brand-b:o123`, `crm_id:salesforce:L-1`.
    const rest = identity.slice(separator + 1);
    const scoped = type === 'openid' || type === 'crm_id' ? /^([a-z0-9][a-z0-9_-]*):(.+)$/.exec(rest) : null;
    const scope = scoped?.[1] ?? (type === 'openid' ? defaultOpenidScope : '');
    const normalized = normalizeIdentity(type, scoped?.[2] ?? rest, scope);
    if ('error' in normalized) throw new ValidationError(`identity: ${normalized.error}`);
    const profile = await deps.profiles.findByIdentity(normalized);
    ctx.body = { profiles: profile ? [profile] : [] };
  });

  router.get('/api/profiles/:id', async (ctx) => {
    ctx.body = await deps.profiles.get(parseInput(profileId, ctx.params.id, 'id'));
  });

  router.patch('/api/profiles/:id', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    const { json } = await readJsonBody(ctx, deps.bodyLimitBytes);
    const attributes = (json as { attributes?: unknown })?.attributes;
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      throw new ValidationError('attributes: expected {"attributes": {"city": "Shanghai", …}}');
    }
    const { values, problems } = normalizeAttributes(attributes as Record<string, unknown>, deps.clock());
    if (problems.length > 0) throw new ValidationError('some attributes are not valid', { problems });
    const { profileId: liveId, changed } = await deps.updateAttributes(id, values);
    ctx.body = { changed, profile: await deps.profiles.get(liveId) };
  });

  router.delete('/api/profiles/:id', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    ctx.body = { erased: await deps.erase(id, actorOf(ctx)) };
  });

  // The right of access: everything about the person, from every room, as one JSON document to hand over.
  router.get('/api/profiles/:id/export', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    ctx.body = await deps.exportPerson(id, actorOf(ctx));
    ctx.set('Content-Disposition', `attachment; filename="persona-profile-${id}.json"`);
  });

  router.get('/api/profiles/:id/timeline', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    const query = parseInput(timelineQuery, ctx.query, 'query');
    const live = await deps.profiles.get(id);
    ctx.body = await deps.timeline.list(live.id, query);
  });

  router.post('/api/profiles/:id/unmerge', async (ctx) => {
    const id = parseInput(profileId, ctx.params.id, 'id');
    const merge = await deps.merger.unmerge(id, actorOf(ctx));
    ctx.body = {
      unmerged: merge,
      profiles: [await deps.profiles.get(merge.survivorId), await deps.profiles.get(merge.absorbedId)],
    };
  });

  router.get('/api/merges', async (ctx) => {
    const query = parseInput(mergesQuery, ctx.query, 'query');
    ctx.body = pageAnswer('merges', await deps.merger.store.list(query.status, query));
  });

  router.post('/api/merges/:id/approve', async (ctx) => {
    const id = parseInput(mergeId, ctx.params.id, 'id');
    const merged = await deps.merger.approve(id, actorOf(ctx));
    ctx.body = { merged, profile: await deps.profiles.get(merged.survivorId) };
  });

  router.post('/api/merges/:id/reject', async (ctx) => {
    const id = parseInput(mergeId, ctx.params.id, 'id');
    await deps.merger.reject(id, actorOf(ctx));
    ctx.body = { rejected: id };
  });
  return router;
}

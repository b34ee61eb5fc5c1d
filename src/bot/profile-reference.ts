import { NotFoundError, ValidationError } from '../errors/app.errors';
import { vocabularyText } from '../i18n/vocabulary.messages';
import { defaultOpenidScope, type Identity, type IdentityType } from '../profiles/identity';
import { normalizeIdentity } from '../profiles/identity-normalizer';
import type { ProfileService, ProfileView } from '../profiles/profile.service';
import type { SegmentPreview, SegmentService } from '../segments/segment.service';
import { botText } from './message-catalog';

/** Candidates a lookup lists at most. */
export const maxCandidates = 10;

const explicitTypes: Record<string, IdentityType> = {
  openid: 'openid',
  unionid: 'unionid',
  email: 'email',
  phone: 'phone',
  crm: 'crm_id',
  crm_id: 'crm_id',
};

/** What an operator typed to name someone, read as one way of finding them. */
type Reference =
  | { kind: 'id'; id: number }
  | { kind: 'identity'; type: IdentityType; value: string; scope: string }
  | { kind: 'phoneEnding'; digits: string }
  /** A name's first characters, or else (an identifier-like word) an openid of the default account. */
  | { kind: 'name'; text: string; openid: boolean };

function readReference(reference: string): Reference {
  const text = reference.trim();
  const id = /^#?(\d{1,9})$/.exec(text);
  if (id) return { kind: 'id', id: Number(id[1]) };
  const ending = /^(?:尾号|tail[:：]|\*)\s*(\d{3,11})$/i.exec(text);
  if (ending) return { kind: 'phoneEnding', digits: ending[1] };
  const explicit = /^([a-z_]+)[:：](.+)$/i.exec(text);
  if (explicit && Object.hasOwn(explicitTypes, explicit[1].toLowerCase())) {
    const type = explicitTypes[explicit[1].toLowerCase()];
    const scoped = type === 'openid' ? /^([a-z0-9][a-z0-9_-]{0,63})[:：](.+)$/.exec(explicit[2]) : null;
    return scoped
      ? { kind: 'identity', type, scope: scoped[1], value: scoped[2] }
      : { kind: 'identity', type, scope: type === 'openid' ? defaultOpenidScope : '', value: explicit[2] };
  }
  if (text.includes('@')) return { kind: 'identity', type: 'email', value: text, scope: '' };
  if (/^\+?[\d\s-]{7,20}$/.test(text)) return { kind: 'identity', type: 'phone', value: text, scope: '' };
  return { kind: 'name', text, openid: /^[A-Za-z0-9_-]{6,64}$/.test(text) };
}

/** Whom a reference found: one person, several (the first `maxCandidates`, masked), or nobody. */
export type ProfileLookup =
  { found: ProfileView } | { candidates: SegmentPreview['sample']; total: number; more: boolean } | { nobody: true };

/**
 * The people an operator means by `reference`: `#42` (a profile id), a name or its first characters (`林`), a phone
 * ending (`尾号8000`, `tail:8000`), a phone number, an email, `openid:[account:]…`, `unionid:…`, `crm:…`, or an openid
 * of the default account.
 */
export async function lookupProfiles(
  services: { profiles: ProfileService; segments: Pick<SegmentService, 'sample'> },
  reference: string,
): Promise<ProfileLookup> {
  const read = readReference(reference);
  const { profiles } = services;
  const byIdentity = async (identity: Identity) => {
    const found = await profiles.findByIdentity(identity);
    return found ? { found } : ({ nobody: true } as const);
  };
  switch (read.kind) {
    case 'id':
      return { found: await profiles.get(read.id) };
    case 'identity': {
      const identity = normalizeIdentity(read.type, read.value, read.scope);
      if ('error' in identity)
        throw new ValidationError(
          botText('reference.invalid', { reference, type: vocabularyText('identity', read.type) }),
          { type: read.type },
        );
      return byIdentity(identity);
    }
    case 'phoneEnding':
      return choose(services, await profiles.search({ phoneEnding: read.digits }, maxCandidates + 1));
    case 'name': {
      if (read.openid) {
        const identity = normalizeIdentity('openid', read.text, defaultOpenidScope);
        const found = 'error' in identity ? undefined : await profiles.findByIdentity(identity);
        if (found) return { found };
      }
      return choose(services, await profiles.search({ namePrefix: read.text }, maxCandidates + 1));
    }
  }
}

async function choose(
  services: { profiles: ProfileService; segments: Pick<SegmentService, 'sample'> },
  ids: number[],
): Promise<ProfileLookup> {
  if (ids.length === 0) return { nobody: true };
  if (ids.length === 1) return { found: await services.profiles.get(ids[0]) };
  const shown = ids.slice(0, maxCandidates);
  return { candidates: await services.segments.sample(shown), total: ids.length, more: ids.length > maxCandidates };
}

/**
 * The one person `reference` names, for commands that act on someone (tagging): nobody is a 404, several a 400
 * listing them (masked) to pick from by id.
 */
export async function findProfile(
  services: { profiles: ProfileService; segments: Pick<SegmentService, 'sample'> },
  reference: string,
  describe: (candidate: SegmentPreview['sample'][number]) => string,
): Promise<ProfileView> {
  const lookup = await lookupProfiles(services, reference);
  if ('found' in lookup) return lookup.found;
  if ('nobody' in lookup) throw new NotFoundError(botText('reference.nobody', { reference }));
  throw new ValidationError(
    botText('reference.ambiguous', { reference, candidates: lookup.candidates.map(describe).join(' · ') }),
  );
}

import { NotFoundError, ValidationError } from '../errors/app.errors';
import { defaultOpenidScope, type IdentityType } from '../profiles/identity';
import { normalizeIdentity } from '../profiles/identity-normalizer';
import type { ProfileService, ProfileView } from '../profiles/profile.service';

const explicitTypes: Record<string, IdentityType> = {
  openid: 'openid',
  unionid: 'unionid',
  email: 'email',
  phone: 'phone',
  crm: 'crm_id',
  crm_id: 'crm_id',
};

/**
 * The profile an operator means: `#42` or `42` (a profile id), an email, a phone number, `unionid:…`, `crm:…`,
 * `openid:<account>:…`, or else an openid of the default account.
 */
export async function findProfile(profiles: ProfileService, reference: string): Promise<ProfileView> {
  const text = reference.trim();
  const id = /^#?(\d{1,9})$/.exec(text);
  if (id) return profiles.get(Number(id[1]));
  const explicit = /^([a-z_]+)[:：](.+)$/i.exec(text);
  let type: IdentityType = 'openid';
  let value = text;
  let scope = defaultOpenidScope;
  if (explicit && Object.hasOwn(explicitTypes, explicit[1].toLowerCase())) {
    type = explicitTypes[explicit[1].toLowerCase()];
    value = explicit[2];
    const scoped = type === 'openid' ? /^([a-z0-9][a-z0-9_-]{0,63})[:：](.+)$/.exec(value) : null;
    if (scoped) [, scope, value] = scoped;
  } else if (text.includes('@')) {
    type = 'email';
  } else if (/^\+?[\d\s-]{7,20}$/.test(text)) {
    type = 'phone';
  }
  const identity = normalizeIdentity(type, value, type === 'openid' ? scope : '');
  if ('error' in identity) throw new ValidationError(`${type}: ${identity.error}`);
  const found = await profiles.findByIdentity(identity);
  if (!found) throw new NotFoundError(`nobody known by that ${type}`);
  return found;
}

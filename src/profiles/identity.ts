/** The kinds of key that can point at a person. */
export const identityTypes = ['email', 'phone', 'openid', 'unionid', 'crm_id', 'anonymous_id'] as const;
export type IdentityType = (typeof identityTypes)[number];

/**
 * One key: `scope` qualifies values that are only unique within something — an openid within its official account,
 * a CRM id within its CRM. Empty for global keys (email, phone, unionid).
 */
export interface Identity {
  type: IdentityType;
  scope: string;
  value: string;
}

/** The scope of openids that arrive without a named official account. */
export const defaultOpenidScope = 'default';

export function identityKey(identity: Identity): string {
  return `${identity.type}\u0000${identity.scope}\u0000${identity.value}`;
}

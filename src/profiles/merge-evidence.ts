import { maskIdentity } from '../logging/pii-mask';
import type { Identity } from './identity';

/**
 * What made two profiles one person: identities of one event found on both. Values are masked: the record
 * outlives the identities (an erased or unmerged person's must not stay readable in it).
 */
export type MergeEvidence = (Omit<Identity, 'value'> & { value: string; profileId: number })[];

/** Masks the values of the identities that matched, keeping which profile held each. */
export function mergeEvidence(identities: readonly (Identity & { profileId: number })[]): MergeEvidence {
  return identities.map((identity) => ({ ...identity, value: maskIdentity(identity.type, identity.value) }));
}

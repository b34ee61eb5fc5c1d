import type { Database } from '../db/database';
import { NotFoundError } from '../errors/app.errors';
import { profilesText } from './profiles.messages';
import type { Identity } from './identity';
import { defineIdentityModel } from './identity-model';
import { defineProfileModel } from './profile-model';
import type { AttributeService, AttributeView } from './attribute.service';
import type { SubscriptionService, SubscriptionView } from './subscription.service';
import type { TagService, TagView } from '../rules/tag.service';
import { liveProfileId } from './live-profile';
import { profilesNamed, profilesWithPhoneEnding } from './profile-search';

/** A profile as the API shows it. */
export interface ProfileView {
  id: number;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string | null;
  /** How the person first reached the brand; null until an event says. */
  firstTouch: { source: string; channel: string | null; at: string } | null;
  identities: Identity[];
  /** Known attributes, each with the source that set it. */
  attributes: Record<string, AttributeView>;
  /** Follow state per official account. */
  subscriptions: SubscriptionView[];
  tags: TagView[];
}

export class ProfileService {
  constructor(
    private readonly db: Database,
    private readonly subscriptions: SubscriptionService,
    private readonly attributes: AttributeService,
    private readonly tags: TagService,
  ) {}

  private get profiles() {
    return this.db.model('profiles', defineProfileModel);
  }

  private get identities() {
    return this.db.model('identities', defineIdentityModel);
  }

  /** The profile, or (for a merged one) its survivor. */
  async get(requestedId: number): Promise<ProfileView> {
    const id = await liveProfileId(this.db, requestedId);
    const profile = await this.profiles.findByPk(id);
    if (!profile || profile.get('erasedAt'))
      throw new NotFoundError(profilesText('profile.notFound', { id: String(id) }));
    const identities = await this.identities.findAll({
      where: { profileId: id },
      order: [
        ['type', 'ASC'],
        ['id', 'ASC'],
      ],
    });
    const row = profile.get();
    return {
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      lastSeenAt: row.lastSeenAt ? row.lastSeenAt.toISOString() : null,
      firstTouch:
        row.firstTouchSource && row.firstTouchAt
          ? { source: row.firstTouchSource, channel: row.firstTouchChannel, at: row.firstTouchAt.toISOString() }
          : null,
      identities: identities.map((identity) => {
        const { type, scope, value } = identity.get();
        return { type, scope, value };
      }),
      attributes: await this.attributes.list(id),
      subscriptions: await this.subscriptions.list(id),
      tags: await this.tags.list(id),
    };
  }

  /** The profile holding this identity, if any. */
  async findByIdentity(identity: Identity): Promise<ProfileView | undefined> {
    const found = await this.identities.findOne({ where: { ...identity } });
    return found ? this.get(Number(found.get('profileId'))) : undefined;
  }

  /**
   * People an operator may mean by part of what they know: a name's first characters (`林`, `林娟霞`) or the last
   * digits of a phone number; live profiles in id order, at most `limit`.
   */
  async search(query: { namePrefix: string } | { phoneEnding: string }, limit: number): Promise<number[]> {
    return 'namePrefix' in query
      ? profilesNamed(this.db, query.namePrefix, limit)
      : profilesWithPhoneEnding(this.db, query.phoneEnding, limit);
  }
}

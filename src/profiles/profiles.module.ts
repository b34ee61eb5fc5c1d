import type { Config } from '../config/config.schema';
import type { Database } from '../db/database';
import type { RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { TagService } from '../rules/tag.service';
import type { TimelineService } from '../timeline/timeline.service';
import type { Clock } from '../util/clock';
import { AttributeService } from './attribute.service';
import { PersonDataExport } from './person-data-export';
import { PersonDataRegistry } from './person-data';
import { ProfileEnricher } from './profile-enricher';
import { ProfileEraser } from './profile-eraser';
import { ProfileMerger } from './profile-merger';
import { profilePersonData } from './profile-person-data';
import { ProfileResolver } from './profile-resolver';
import { profileStateStage } from './profile-state.stage';
import { ProfileService } from './profile.service';
import { SubscriptionService } from './subscription.service';

export const profilesRoom: RoomDefinition = {
  room: 'profiles',
  tables: ['profiles', 'identities', 'attributes', 'subscriptions', 'merges', 'merge_moves'],
  surface: [
    'person-data',
    'live-profile',
    'attribute-catalog',
    'identity',
    'identity-normalizer',
    'profile-resolver',
    'profiles.errors',
    'profile-lookups',
  ],
};

export interface ProfilesModuleDeps {
  config: Config;
  db: Database;
  timeline: TimelineService;
  /** A profile's card shows its tags (the rules room's). */
  tags: TagService;
  clock: Clock;
}

/**
 * The profiles room: people and the identities that find them, their attributes and follow state, merges and
 * unmerges, and the registry of what every room keeps about a person (export, merge, erasure). Its stage keeps
 * follow state, first touch and attributes current as events arrive.
 */
export class ProfilesModule implements RoomModule {
  readonly definition = profilesRoom;
  readonly contributes: RoomContributions;
  readonly subscriptions: SubscriptionService;
  readonly attributes: AttributeService;
  readonly profiles: ProfileService;
  /** Every room's person-data handler: the modules' contributions are registered here by the root. */
  readonly personData: PersonDataRegistry;
  readonly merger: ProfileMerger;
  readonly resolver: ProfileResolver;
  readonly eraser: ProfileEraser;
  readonly personExport: PersonDataExport;
  readonly enricher: ProfileEnricher;

  constructor(deps: ProfilesModuleDeps) {
    const { config, db, timeline, clock } = deps;
    this.subscriptions = new SubscriptionService(db);
    this.attributes = new AttributeService(
      db,
      timeline,
      { default: config.attributes.precedence, byAttribute: config.attributes.precedenceByAttribute },
      clock,
    );
    this.profiles = new ProfileService(db, this.subscriptions, this.attributes, deps.tags);
    this.personData = new PersonDataRegistry(
      profilePersonData(db, (name, survivor, absorbed) => this.attributes.prevailsInMerge(name, absorbed, survivor)),
    );
    this.merger = new ProfileMerger(db, timeline, this.personData, clock);
    this.resolver = new ProfileResolver(db, this.merger, config.identities, clock);
    this.eraser = new ProfileEraser(db, clock, this.personData);
    this.personExport = new PersonDataExport(db, this.personData, clock);
    this.enricher = new ProfileEnricher(db, this.attributes, clock);
    this.contributes = {
      stages: [{ phase: 'profile-state', stage: profileStateStage(db, this.subscriptions, this.attributes, clock) }],
    };
  }
}

import type { Database } from '../db/database';
import type { RoomDefinition, RoomModule } from '../kernel/room-module.types';
import type { NoticeBoard } from '../notices/notice-board';
import type { Clock } from '../util/clock';
import { CredentialStore } from './credential-store';

export const credentialsRoom: RoomDefinition = {
  room: 'credentials',
  tables: ['credentials'],
  surface: ['credential-store'],
};

/** The credentials room: access tokens shared by every instance (fetched once, refreshed before they expire). */
export class CredentialsModule implements RoomModule {
  readonly definition = credentialsRoom;
  readonly contributes = {};
  readonly credentials: CredentialStore;

  constructor(db: Database, clock: Clock, notices?: NoticeBoard) {
    this.credentials = new CredentialStore(db, {}, clock, notices);
  }
}

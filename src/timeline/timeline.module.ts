import type { Database } from '../db/database';
import type { RoomContributions, RoomDefinition, RoomModule } from '../kernel/room-module.types';
import { timelinePersonData } from './timeline-person-data';
import { TimelineService } from './timeline.service';

export const timelineRoom: RoomDefinition = {
  room: 'timeline',
  tables: ['events', 'event_properties'],
  surface: ['timeline-lookups', 'timeline.service', 'persona-event-types', 'event-property-index'],
};

/** The timeline room: every person's events, the in-transaction bus other rooms listen on. */
export class TimelineModule implements RoomModule {
  readonly definition = timelineRoom;
  readonly timeline: TimelineService;
  readonly contributes: RoomContributions;

  constructor(db: Database) {
    this.timeline = new TimelineService(db);
    this.contributes = { personData: timelinePersonData(db) };
  }
}

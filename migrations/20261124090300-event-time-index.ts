import type { MigrationParams } from '../src/db/migration.types';

/**
 * Events by time, with their source and profile: `event:any >= 20 in 30d` (the activity level) reads one index range
 * of the window instead of every event ever recorded, leaving out Persona's own records by the indexed source.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.addIndex('events', ['occurred_at', 'source', 'profile_id'], {
    name: 'events_time_source_profile',
  });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.removeIndex('events', 'events_time_source_profile');
}

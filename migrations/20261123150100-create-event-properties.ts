import { DataTypes, QueryTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';
import { propertyRows } from '../src/timeline/event-property-index';

/**
 * The event property index (src/timeline/event-property-index.ts): one row per top-level scalar property of each
 * event, keyed by (event, name), indexed by (type, name, value, occurred_at, profile) for each kind of value, so a
 * filtered event count reads one index range. Existing events are indexed in batches.
 */
export async function up({ context: { queryInterface, sequelize } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('event_properties', {
    event_id: {
      type: DataTypes.BIGINT,
      primaryKey: true,
      allowNull: false,
      references: { model: 'events', key: 'id' },
      onDelete: 'CASCADE',
    },
    name: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    profile_id: { type: DataTypes.INTEGER, allowNull: false },
    type: { type: DataTypes.STRING(64), allowNull: false },
    occurred_at: { type: DataTypes.DATE(3), allowNull: false },
    value_key: { type: DataTypes.STRING(191), allowNull: true },
    value_number: { type: DataTypes.DOUBLE, allowNull: true },
  });
  if (sequelize.getDialect() === 'mysql') {
    // Byte for byte, like every other key (20261123120000-binary-key-collation).
    await sequelize.query(
      `ALTER TABLE event_properties
         MODIFY name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
         MODIFY value_key VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`,
    );
  }
  await queryInterface.addIndex('event_properties', ['type', 'name', 'value_key', 'occurred_at', 'profile_id'], {
    name: 'event_properties_key',
  });
  await queryInterface.addIndex('event_properties', ['type', 'name', 'value_number', 'occurred_at', 'profile_id'], {
    name: 'event_properties_number',
  });
  await queryInterface.addIndex('event_properties', ['profile_id'], { name: 'event_properties_profile' });

  // Existing events, a batch at a time; each row copies the event's own columns, so times keep their stored form.
  const batch = 500;
  for (let after = 0; ;) {
    const events = await sequelize.query<{ id: number | string; properties: string | null }>(
      'SELECT id, properties FROM events WHERE id > :after ORDER BY id LIMIT :batch',
      { replacements: { after, batch }, type: QueryTypes.SELECT },
    );
    if (events.length === 0) break;
    after = Number(events[events.length - 1].id);
    const rows = events.flatMap((event) =>
      propertyRows(parse(event.properties)).map((row) => ({ eventId: Number(event.id), ...row })),
    );
    if (rows.length === 0) continue;
    const selects = rows
      .map(() => 'SELECT ? AS event_id, ? AS name, ? AS value_key, ? AS value_number')
      .join(' UNION ALL ');
    await sequelize.query(
      `INSERT INTO event_properties (event_id, profile_id, type, occurred_at, name, value_key, value_number)
       SELECT e.id, e.profile_id, e.type, e.occurred_at, v.name, v.value_key, v.value_number FROM (${selects}) v JOIN events e ON e.id = v.event_id`,
      { replacements: rows.flatMap((row) => [row.eventId, row.name, row.valueKey, row.valueNumber]) },
    );
  }
}

function parse(properties: string | null): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(properties ?? '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('event_properties');
}

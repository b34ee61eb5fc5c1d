import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface TimelineEventRow {
  id: number;
  profileId: number;
  type: string;
  channel: string | null;
  source: string;
  sourceKey: string;
  occurredAt: Date;
  receivedAt: Date;
  properties: Record<string, unknown>;
}

export type TimelineEventModel = ModelStatic<Model<TimelineEventRow, Omit<TimelineEventRow, 'id'>>>;

/**
 * `events`, for reading timelines (writes are plain INSERTs in TimelineService). Properties are JSON text, so both
 * dialects can also reach into them with their JSON functions.
 */
export function defineTimelineEventModel(sequelize: Sequelize): TimelineEventModel {
  return sequelize.define<Model<TimelineEventRow, Omit<TimelineEventRow, 'id'>>>(
    'events',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      profileId: { type: DataTypes.INTEGER, allowNull: false },
      type: { type: DataTypes.STRING(64), allowNull: false },
      channel: { type: DataTypes.STRING(64), allowNull: true },
      source: { type: DataTypes.STRING(64), allowNull: false },
      sourceKey: { type: DataTypes.STRING(191), allowNull: false },
      occurredAt: { type: DataTypes.DATE(3), allowNull: false },
      receivedAt: { type: DataTypes.DATE(3), allowNull: false },
      properties: {
        type: DataTypes.TEXT,
        allowNull: true,
        get(this: Model) {
          const raw = this.getDataValue('properties') as string | null;
          return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        },
      },
    },
    { tableName: 'events', timestamps: false },
  );
}

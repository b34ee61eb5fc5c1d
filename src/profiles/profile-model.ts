import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface ProfileRow {
  id: number;
  createdAt: Date;
  updatedAt: Date;
  lastSeenAt: Date | null;
  firstTouchSource: string | null;
  firstTouchChannel: string | null;
  firstTouchAt: Date | null;
  erasedAt: Date | null;
}

export type ProfileModel = ModelStatic<Model<ProfileRow, Partial<ProfileRow>>>;

export function defineProfileModel(sequelize: Sequelize): ProfileModel {
  return sequelize.define<Model<ProfileRow, Partial<ProfileRow>>>(
    'profiles',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
      lastSeenAt: { type: DataTypes.DATE(3), allowNull: true },
      firstTouchSource: { type: DataTypes.STRING(128), allowNull: true },
      firstTouchChannel: { type: DataTypes.STRING(64), allowNull: true },
      firstTouchAt: { type: DataTypes.DATE(3), allowNull: true },
      erasedAt: { type: DataTypes.DATE(3), allowNull: true },
    },
    { tableName: 'profiles', timestamps: true },
  );
}

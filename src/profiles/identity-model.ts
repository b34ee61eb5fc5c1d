import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { IdentityType } from './identity';

export interface IdentityRow {
  id: number;
  profileId: number;
  type: IdentityType;
  scope: string;
  value: string;
  createdAt: Date;
}

export type IdentityModel = ModelStatic<Model<IdentityRow, Omit<IdentityRow, 'id' | 'createdAt'>>>;

export function defineIdentityModel(sequelize: Sequelize): IdentityModel {
  return sequelize.define<Model<IdentityRow, Omit<IdentityRow, 'id' | 'createdAt'>>>(
    'identities',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      profileId: { type: DataTypes.INTEGER, allowNull: false },
      type: { type: DataTypes.STRING(32), allowNull: false },
      scope: { type: DataTypes.STRING(64), allowNull: false },
      value: { type: DataTypes.STRING(255), allowNull: false },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { tableName: 'identities', timestamps: true, updatedAt: false },
  );
}

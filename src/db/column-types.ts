import { DataTypes, type Sequelize } from 'sequelize';

/** LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite's TEXT has no limit and warns about length options. */
export function longText(sequelize: Sequelize) {
  return sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('long') : DataTypes.TEXT;
}

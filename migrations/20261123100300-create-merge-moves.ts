import { DataTypes } from 'sequelize';
import type { MigrationParams } from '../src/db/migration.types';

/**
 * What a merge changed, row by row, so unmerge can put it back: a `move` took a row (identity, event, tag,
 * attribute, subscription) from the absorbed profile to the survivor; a `swap` rewrote the survivor's row for an
 * attribute or account both held (the absorbed one's was better) and gave the absorbed row the survivor's old
 * contents.
 */
export async function up({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.createTable('merge_moves', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    merge_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'merges', key: 'id' },
      onDelete: 'CASCADE',
    },
    kind: { type: DataTypes.STRING(16), allowNull: false },
    table_name: { type: DataTypes.STRING(32), allowNull: false },
    row_id: { type: DataTypes.BIGINT, allowNull: false },
    other_row_id: { type: DataTypes.BIGINT, allowNull: true },
    /** A swap's record: both rows' contents before it and the survivor's after it (JSON). */
    original: { type: DataTypes.TEXT, allowNull: true },
  });
  await queryInterface.addIndex('merge_moves', ['merge_id'], { name: 'merge_moves_merge' });
}

export async function down({ context: { queryInterface } }: MigrationParams): Promise<void> {
  await queryInterface.dropTable('merge_moves');
}

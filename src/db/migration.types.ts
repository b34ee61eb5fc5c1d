import type { QueryInterface, Sequelize } from 'sequelize';

/** What every file in `migrations/` receives. One file, one change; `down` undoes exactly `up`. */
export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

export interface MigrationParams {
  context: MigrationContext;
}

export interface MigrationModule {
  up(params: MigrationParams): Promise<void>;
  down(params: MigrationParams): Promise<void>;
}

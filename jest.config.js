/** Unit and integration tests, TypeScript compiled by SWC. The database comes from TEST_DATABASE_URL (SQLite when unset). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // A ceiling, not a speed target: the slowest test takes ~20 s on MariaDB here, and must pass on a machine five times slower.
  testTimeout: 180000,
  // Every process a test starts dies with its test; the teardown fails the run if one didn't (test/support/test-processes.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup-after-env.ts'],
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  maxWorkers: 2,
};

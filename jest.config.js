/**
 * Jest runs the TypeScript sources as ES modules (NestJS 12 is published as ESM only), so the
 * test scripts start Node with --experimental-vm-modules.
 * @type {import('jest').Config}
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^nestjs-otp$': '<rootDir>/src/index.ts',
    '^nestjs-otp/testing$': '<rootDir>/src/testing/index.ts',
    '^nestjs-otp/migrations$': '<rootDir>/src/migrations/index.ts',
    '^(\\.{1,2}/.*)(?<!\\.json)\\.js$': '$1',
  },
  transform,
  testEnvironment: 'node',
};

/**
 * `e2e` runs on SQLite, or on PostgreSQL when DATABASE_URL is set (scripts/with-postgres.sh sets
 * it). `postgres` holds the suites that only make sense on PostgreSQL (several instances on one
 * database, query plans); it exists only when DATABASE_URL is set, so that selecting it without a
 * server fails instead of passing.
 */
const postgres = {
  ...common,
  displayName: 'postgres',
  testMatch: ['<rootDir>/test/postgres/**/*.e2e-spec.ts'],
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/postgres/'],
    },
    ...(process.env.DATABASE_URL ? [postgres] : []),
  ],
};

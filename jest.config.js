import { availableParallelism } from 'node:os';

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
 * The projects:
 * - `unit`: the specs beside the sources (src/).
 * - `e2e`: the module in a Nest app on a real database, with the Twilio Verify emulator; on
 *   SQLite, or on PostgreSQL when DATABASE_URL is set (scripts/with-postgres.sh sets it).
 * - `conformance`: what the module sends to Twilio, checked against Twilio's own OpenAPI
 *   description (Prism); on SQLite, or on PostgreSQL as `e2e`.
 * - `browser`: the sample app's page in Chromium. The sample keeps its own SQLite file whatever
 *   DATABASE_URL says, so these run in the SQLite pass only.
 * - `packaging`: hosts built from the packed package, run outside jest with no DATABASE_URL;
 *   the SQLite pass only.
 * - `postgres`: the suites that only make sense on PostgreSQL (several instances on one
 *   database, query plans); it exists only when DATABASE_URL is set, so that selecting it
 *   without a server fails instead of passing.
 *
 * `npm test` runs every project on SQLite, then `e2e`, `conformance` and `postgres` on
 * PostgreSQL; `npm run test:e2e` is the quick answer while working on the module.
 */
const folder = (name, displayName = name) => ({
  ...common,
  displayName,
  testMatch: [`<rootDir>/test/${name}/**/*.e2e-spec.ts`],
});

export default {
  // Jest's default leaves a core to itself (one worker on two cores). The suites spend much of
  // their time waiting (on Chromium, on an authenticator app's next 30-second code, on sockets
  // and the database), so one worker more than there are cores keeps the cores busy.
  maxWorkers: availableParallelism() + 1,
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/(browser|conformance|packaging|postgres)/',
      ],
    },
    folder('conformance'),
    folder('browser'),
    folder('packaging'),
    ...(process.env.DATABASE_URL ? [folder('postgres')] : []),
  ],
};

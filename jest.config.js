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
    '^(\\.{1,2}/.*)(?<!\\.json)\\.js$': '$1',
  },
  transform,
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles here.
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
  },
  // The Lambdas are pre-built bundles (dist/lambda, scripts/bundle.ts): build those missing or stale, once per run.
  globalSetup: '<rootDir>/test/package/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  // Synthesizing stacks takes seconds, not milliseconds.
  testTimeout: 120000,
  // A passing suite prints only the runner's summary: console output of the code under test (handler logs,
  // CDK's annotation report) is dropped. Run `npx jest --silent=false` to see it while debugging.
  silent: true,
  // Two cores: more workers only add contention between synths.
  maxWorkers: process.env.CI ? 2 : '50%',
};

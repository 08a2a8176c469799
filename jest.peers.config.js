/**
 * Opt-in suite against real third-party software installed from Debian packages
 * (`npm run test:peers`). globalSetup installs and starts the peers (test/peers/<peer>/start.sh);
 * globalTeardown stops what it started. One worker: the peers are shared, stateful servers.
 */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'peers',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/peers/**/*.peers.test.ts'],
  globalSetup: '<rootDir>/test/peers/globalSetup.ts',
  globalTeardown: '<rootDir>/test/peers/globalTeardown.ts',
  maxWorkers: 1,
  testTimeout: 120000,
};

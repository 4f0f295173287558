/** ESM jest, TypeScript stripped by swc (fast on a cold cache, as on a fresh clone); type checking is `npm run typecheck`'s job. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' }, keepClassNames: true },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  // An all.test.ts loads its folder's *.spec.ts files and those of the neighbours it names (test/helpers/specs.ts); test/browser's entry holds the three Chromium specs.
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  // Two, one per core: three were faster on an earlier machine of this kind, slower on 2026-12-05's (README, Tests).
  maxWorkers: 2,
  // A worker ends a full run at 1.1–1.3 GB RSS, and Node takes ~0.8 s after its 'exit' event to
  // tear that down (measured 2026-12-06; no handle or database was left open). Jest's 500 ms
  // default killed it mid-teardown and printed a leak warning every run.
  workerGracefulExitTimeout: 3000,
  // Every temporary file of a run goes under one directory, removed at the end (test/helpers/global-setup.mjs).
  globalSetup: '<rootDir>/test/helpers/global-setup.mjs',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.mjs',
  testSequencer: '<rootDir>/test/helpers/sequencer.mjs',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
};

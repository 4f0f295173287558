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
  // A folder's all.test.ts loads its *.spec.ts files (test/helpers/specs.ts); the browser tests stand alone.
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60000,
  // Three: on this 2-core machine the files wait on sockets, timers and Chromium often enough (README, Tests).
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/helpers/sequencer.mjs',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
};

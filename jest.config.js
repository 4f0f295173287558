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
  testSequencer: '<rootDir>/test/helpers/sequencer.mjs',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
};

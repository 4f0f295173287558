import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', '.adminjs/', 'dist/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // core/ and models/ must not know about the doors (see shared/style.md).
    files: ['core/**/*.ts', 'models/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['koa', 'koa-*', '@koa/*', 'adminjs', '@adminjs/*', 'node-cron'], message: 'core/ and models/ stay free of doors and frameworks.' },
          { group: ['**/bot/**', '**/admin/**', '**/jobs/**', '**/cli/**', '**/api/**'], message: 'Dependencies point bot/admin/api/jobs/cli -> core -> models.' },
        ],
      }],
    },
  },
  {
    // The API door never imports another door; the composition root (cli/server) wires them.
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/bot/**', '**/admin/**', '**/jobs/**', '**/cli/**'], message: 'Doors never import each other; take what you need through ApiDeps.' }],
      }],
    },
  },
  {
    files: ['admin/components/**/*.{jsx,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);

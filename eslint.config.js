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
    // A messenger is reached only through bot/channels/contract.ts; its folder is imported by the
    // registry alone (bot/channels/registry.ts), so adding one is one folder and one registry line.
    files: ['bot/**/*.ts', 'jobs/**/*.ts', 'cli/**/*.ts', 'admin/**/*.{ts,tsx}', 'bench/**/*.ts'],
    ignores: ['bot/channels/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: 'channels/[^/]+/', message: 'Reach a messenger through bot/channels/contract.ts and registry.ts, never its folder.' }],
      }],
    },
  },
  {
    files: ['bot/channels/*.ts'],
    ignores: ['bot/channels/registry.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\./[^/]+/', message: 'Only bot/channels/registry.ts imports a channel folder.' }],
      }],
    },
  },
  {
    // Inside a channel folder: its own files and the shared bot/ code, never another vendor's folder.
    files: ['bot/channels/*/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^\\.\\./(?!\\.\\.)[^/]+/', message: 'A channel never imports another channel\'s folder.' }],
      }],
    },
  },
  {
    files: ['admin/components/**/*.{jsx,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);

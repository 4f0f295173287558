import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const rel = (file) => path.relative(ROOT, file).split(path.sep).join('/');

const DOORS = ['bot/', 'admin/', 'api/', 'jobs/', 'cli/'];
const otherDoors = (door) => DOORS.filter((d) => d !== door);

/**
 * Which top-level folder may import which (README, "Architecture"). Imports are resolved against
 * the importing file, so core/api/ is never mistaken for the api/ door. `except`: files a zone
 * does not apply to, each with its reason in the README.
 */
const ZONES = [
  {
    target: 'core/',
    deny: [...DOORS],
    message: 'core/ never imports a door: doors call core, not the other way round.',
  },
  // core/boot.ts wires the database (connection, models, migration runner) and hands the runner to the rest of core as core.schema.
  {
    target: 'core/',
    deny: ['migrations/'],
    except: ['core/boot.ts'],
    message: 'core/ reaches migrations only through core.schema (core/boot.ts puts it there).',
  },
  {
    target: 'models/',
    deny: [...DOORS, 'core/', 'migrations/'],
    message: 'models/ imports nothing of the program above it, nor migrations/.',
  },
  {
    target: 'migrations/',
    deny: [...DOORS, 'core/'],
    message: 'A migration is frozen history: it never imports core/ or a door.',
  },
  ...['bot/', 'admin/', 'api/', 'jobs/'].map((door) => ({
    target: door,
    deny: [...otherDoors(door), 'migrations/'],
    message: `Doors never import each other (jobs/ reaches chat through core/notify-port.ts); ${door} takes what it needs from core/ or through its deps, wired by the composition root.`,
  })),
  // The composition root: cli/compose.ts (the CLI's commands) and cli/server/mounts.ts (the server's doors).
  {
    target: 'cli/',
    deny: [...otherDoors('cli/'), 'migrations/'],
    except: ['cli/compose.ts', 'cli/server/mounts.ts'],
    message: 'cli/ takes other doors only through its composition root, cli/compose.ts.',
  },
];

/** The import-zones rule: reports a relative import that leaves its folder for a denied one. */
const importZones = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    const file = rel(context.filename);
    const zones = ZONES.filter((z) => file.startsWith(z.target) && !(z.except ?? []).includes(file));
    if (!zones.length) return {};
    const check = (node) => {
      const source = node?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = rel(path.resolve(path.dirname(context.filename), source));
      for (const z of zones) {
        const hit = z.deny.find((d) => `${to}/`.startsWith(d));
        if (hit) context.report({ node, message: `${file} imports ${to}: ${z.message}` });
      }
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
    };
  },
};

/** Chat vendors' SDKs and transports: only bot/channels/<id>/ may use them. */
const VENDORS = ['@wecom/*', 'dingtalk-stream', '@larksuiteoapi/*', 'ws'];

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
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { steward: { rules: { 'import-zones': importZones } } },
    rules: { 'steward/import-zones': 'error' },
  },
  {
    // core/ and models/ must not know about the doors (see shared/style.md).
    files: ['core/**/*.ts', 'models/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['koa', 'koa-*', '@koa/*', 'adminjs', '@adminjs/*', 'node-cron', 'commander', 'umzug'],
              message: 'core/ and models/ stay free of doors and frameworks.',
            },
            { group: VENDORS, message: 'core/ and models/ know no messenger: chat goes through core/notify-port.ts.' },
          ],
        },
      ],
    },
  },
  {
    // A messenger is reached only through bot/channels/contract.ts; its folder is imported by the
    // registry alone (bot/channels/registry.ts), so adding one is one folder and one registry line.
    files: ['bot/**/*.ts', 'jobs/**/*.ts', 'cli/**/*.ts', 'admin/**/*.{ts,tsx}', 'bench/**/*.ts'],
    ignores: ['bot/channels/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'channels/[^/]+/',
              message: 'Reach a messenger through bot/channels/contract.ts and registry.ts, never its folder.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only jobs/index.ts touches node-cron, so every job's run() is testable on its own.
    files: ['jobs/**/*.ts'],
    ignores: ['jobs/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node-cron', message: 'Only jobs/index.ts schedules; a job is { name, schedule, run(deps) }.' },
          ],
          patterns: [
            {
              regex: 'channels/[^/]+/',
              message: 'Reach a messenger through bot/channels/contract.ts and registry.ts, never its folder.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bot/channels/*.ts'],
    ignores: ['bot/channels/registry.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^\\./[^/]+/', message: 'Only bot/channels/registry.ts imports a channel folder.' }],
        },
      ],
    },
  },
  {
    // Inside a channel folder: its own files and the shared bot/ code, never another vendor's folder.
    files: ['bot/channels/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./(?!\\.\\.)[^/]+/', message: "A channel never imports another channel's folder." },
          ],
        },
      ],
    },
  },
  {
    files: ['admin/components/**/*.{jsx,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Size and shape: a file, a function or a branchy function that outgrows these is split, not excused.
    files: ['**/*.{ts,tsx,js,mjs}'],
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      complexity: ['error', 15],
    },
  },
  {
    // Typed rules: a promise nobody awaits is a write nobody waits for (or an error nobody sees).
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.components.json'], tsconfigRootDir: ROOT },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
);

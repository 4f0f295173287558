#!/usr/bin/env node
// Runs the ahead-of-time build (dist/, written by `npm run build`, which `npm ci` runs) when it is
// at least as new as every source file; otherwise the TypeScript sources through tsx, so an edit
// takes effect at once and never runs stale code. STEWARD_FROM_SOURCE=1 forces the sources.
import fs from 'node:fs';
import { distIsFresh } from './freshness.mjs';

// A local .env (see .env.example) fills in what the environment does not set.
if (fs.existsSync('.env')) process.loadEnvFile('.env');
if (process.env.STEWARD_FROM_SOURCE !== '1' && distIsFresh()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}

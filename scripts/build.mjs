#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` runs it): transpiles the TypeScript sources file by
// file into dist/ with esbuild, so `steward` and `npm start` run plain JS. No type checking here:
// that is `npm run typecheck`. Takes well under a second.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT, STAMP, sourceFiles } from '../cli/freshness.mjs';

const started = Date.now();
const dist = path.join(ROOT, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: sourceFiles(),
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  tsconfig: 'tsconfig.json',
  logLevel: 'warning',
});
// `steward --help` and the command → group table, so a built run loads one command group (cli/help-index.ts).
const { buildHelpIndex } = await import('../dist/cli/help-index.js');
const { REGISTRARS } = await import('../dist/cli/program.js');
fs.writeFileSync(
  path.join(dist, 'cli', 'help-index.json'),
  `${JSON.stringify(await buildHelpIndex(REGISTRARS), null, 1)}\n`,
);
// The stamp is dated from the start, so a source saved during the build counts as newer.
fs.writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
fs.utimesSync(STAMP, new Date(started), new Date(started));
process.stdout.write(`dist/ built in ${Date.now() - started} ms\n`);
// Loading the command groups for the index may leave timers or pools behind; the build is done.
process.exit(0);

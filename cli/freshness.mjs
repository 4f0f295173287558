// Is dist/ (the ahead-of-time build) at least as new as every source file it was built from?
// Shared by cli/bin.mjs (which falls back to tsx when it is not) and scripts/build.mjs (which
// writes the stamp). Plain JS: it runs before anything is compiled.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The folders compiled into dist/ (admin/components is bundled by AdminJS from its sources). */
export const SOURCE_DIRS = ['api', 'admin', 'bot', 'cli', 'core', 'jobs', 'migrations', 'models'];
export const STAMP = path.join(ROOT, 'dist', '.built');

const compiled = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts');

/** Every compiled source file, relative to ROOT. */
export function sourceFiles() {
  const out = [];
  for (const dir of SOURCE_DIRS) {
    for (const rel of fs.readdirSync(path.join(ROOT, dir), { recursive: true })) {
      if (compiled(rel) && !(dir === 'admin' && rel.startsWith('components/'))) out.push(path.join(dir, rel));
    }
  }
  return out;
}

/** True when dist/ was built after the last change to any compiled source (a stat per file, ~5 ms). */
export function distIsFresh() {
  const built = fs.statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return false;
  return sourceFiles().every((f) => fs.statSync(path.join(ROOT, f)).mtimeMs <= built);
}

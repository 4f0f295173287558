import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Loads every `*.spec.ts` in the folder of `entryUrl` (a folder's `all.test.ts`), so that folder's
 * specs share one jest module registry. Jest evaluates the whole module graph (sequelize, koa,
 * AdminJS…) again for every test file: ~2 s of CPU a file here, about half of what `npm test` spent
 * when each spec was its own file. Specs still set up what they use in their own describe
 * blocks; a beforeEach or afterEach outside any describe would run around every test of the folder,
 * so `test/foundation/specs.spec.ts` forbids it.
 */
export async function loadSpecs(entryUrl: string): Promise<void> {
  const dir = path.dirname(fileURLToPath(entryUrl));
  for (const name of specsIn(dir)) await import(path.join(dir, name));
}

/** The spec files of one folder, in name order. */
export function specsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts'))
    .sort();
}

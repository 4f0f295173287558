import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Loads every `*.spec.ts` in the folder of `entryUrl` (a folder's `all.test.ts`), then those of the
 * `also` folders (relative to it), so that they share one jest module registry. Jest evaluates the
 * whole module graph (sequelize, koa, AdminJS…) again for every test file: ~2 s of CPU a file here,
 * ~5 s for one that mounts the back office, which half the folders do. Small folders therefore ride
 * along a neighbour's entry. Specs still set up what they use in their own describe blocks; a
 * beforeEach or afterEach outside any describe would run around every test of the entry, so
 * `test/foundation/specs.spec.ts` forbids it (and checks that every spec folder is loaded once).
 */
export async function loadSpecs(entryUrl: string, also: string[] = []): Promise<void> {
  const entry = path.dirname(fileURLToPath(entryUrl));
  for (const dir of [entry, ...also.map((d) => path.resolve(entry, d))])
    for (const name of specsIn(dir)) await import(path.join(dir, name));
}

/** The spec files of one folder, in name order. */
export function specsIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts'))
    .sort();
}

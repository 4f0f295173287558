import fs from 'node:fs';
import path from 'node:path';

/**
 * Contracts on a third-party package's private or undocumented API (the *-internals modules):
 * after an upgrade, a failure names the package, its installed version and what changed shape.
 */

/** The installed version of a package, from its own package.json (a leading `v` dropped). */
export function versionOf(pkg: string): string {
  const file = path.join(process.cwd(), 'node_modules', pkg, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version.replace(/^v/, '');
}

/** Runs `check`; when it fails, says which package's internals no longer hold and which module relies on them. */
export async function contract(pkg: string, module: string, what: string, check: () => unknown): Promise<void> {
  try {
    await check();
  } catch (err) {
    throw new Error(`${pkg}@${versionOf(pkg)} changed what ${module} relies on (${what}).\n${(err as Error).message}`);
  }
}

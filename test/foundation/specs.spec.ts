import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { specsIn } from '../helpers/specs.js';

/** Every folder under test/ that holds a spec, relative to the repository. */
function specFolders(dir = 'test'): string[] {
  const here = specsIn(dir).length ? [dir] : [];
  const below = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => specFolders(path.join(dir, d.name)));
  return [...here, ...below];
}

/**
 * Lines of a spec that call beforeEach or afterEach outside any describe block (at the file's top
 * level), where they would run around every test of the folder. A top-level beforeAll or afterAll
 * runs once for the folder's entry, before its first test and after its last, as it did for the file.
 */
function topLevelEachHooks(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^(beforeEach|afterEach)\(/.test(line));
}

describe("the specs: one registry per folder, and each spec's per-test hooks its own", () => {
  it('gives every folder with specs an all.test.ts that loads them, so no spec is left unrun', () => {
    const folders = specFolders();
    expect(folders.length).toBeGreaterThan(10);
    const missing = folders.filter((dir) => {
      const entry = path.join(dir, 'all.test.ts');
      return !fs.existsSync(entry) || !fs.readFileSync(entry, 'utf8').includes('loadSpecs(import.meta.url)');
    });
    expect(missing).toEqual([]);
  });

  it("has no beforeEach or afterEach outside a describe block: it would run around every test of the folder's specs", () => {
    const offenders = specFolders()
      .flatMap((dir) => specsIn(dir).map((f) => path.join(dir, f)))
      .filter((file) => topLevelEachHooks(file).length > 0);
    expect(offenders).toEqual([]);
  });
});

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

/** Every all.test.ts under test/. */
function entries(dir = 'test'): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? entries(p) : d.name === 'all.test.ts' ? [p] : [];
  });
}

/** The folders an entry loads: its own, then those listed after `import.meta.url` (none if it loads nothing). */
function loadedBy(entry: string): string[] {
  const call = /loadSpecs\(import\.meta\.url(?:,\s*\[([^\]]*)\])?\)/.exec(fs.readFileSync(entry, 'utf8'));
  if (!call) return [];
  const also = [...(call[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => path.join(path.dirname(entry), m[1]!));
  return [path.dirname(entry), ...also];
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

describe("the specs: one registry per entry, and each spec's per-test hooks its own", () => {
  it("loads every folder with specs from exactly one all.test.ts, its own or a neighbour's, so no spec is left unrun or run twice", () => {
    const folders = specFolders();
    expect(folders.length).toBeGreaterThan(10);
    const loads = entries().flatMap(loadedBy);
    const count = (dir: string) => loads.filter((d) => d === dir).length;
    expect(folders.filter((dir) => count(dir) !== 1).map((dir) => `${dir}: ${count(dir)}`)).toEqual([]);
    expect(loads.filter((dir) => !folders.includes(dir))).toEqual([]);
  });

  it("has no beforeEach or afterEach outside a describe block: it would run around every test of the folder's specs", () => {
    const offenders = specFolders()
      .flatMap((dir) => specsIn(dir).map((f) => path.join(dir, f)))
      .filter((file) => topLevelEachHooks(file).length > 0);
    expect(offenders).toEqual([]);
  });
});

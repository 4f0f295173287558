// Runs the longest test files first, so no worker is left with a long one at the end. Jest does this
// from the durations it saved on an earlier run; a fresh clone (CI) has none, and jest's fallback,
// file size, would put every folder's three-line all.test.ts last. Without saved durations each
// entry weighs what durations.json says it took in a measured run (`npm test -- --json`, seconds,
// rewritten when the suite's shape changes); an entry missing there weighs its specs' bytes (a
// standalone file 15 times its own), at the file's median seconds per byte.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import TestSequencer from '@jest/test-sequencer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const measured = JSON.parse(fs.readFileSync(new URL('./durations.json', import.meta.url), 'utf8'));
const size = (file) => fs.statSync(file).size;

function bytes(file) {
  if (path.basename(file) !== 'all.test.ts') return 15 * size(file);
  const dir = path.dirname(file);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts'))
    .reduce((sum, f) => sum + size(path.join(dir, f)), 0);
}

function weigher(tests) {
  const known = (t) => measured[path.relative(root, t.path)];
  const rates = tests
    .filter((t) => known(t) > 0)
    .map((t) => known(t) / bytes(t.path))
    .sort((a, b) => a - b);
  const rate = rates.length ? rates[Math.floor(rates.length / 2)] : 1;
  return (t) => known(t) ?? bytes(t.path) * rate;
}

export default class HeaviestFirst extends TestSequencer {
  sort(tests) {
    if (tests.every((t) => this.time(t) != null)) return super.sort(tests);
    const weight = weigher(tests);
    return [...tests].sort((a, b) => weight(b) - weight(a));
  }
}

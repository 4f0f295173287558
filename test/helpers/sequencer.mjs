// Runs the longest test files first, so no worker is left with a long one at the end. Jest does this
// from the durations it saved on an earlier run; a fresh clone (CI) has none, and jest's fallback,
// file size, would put every folder's three-line all.test.ts last. Without saved durations a folder's
// entry weighs what its specs weigh, and a standalone file (a browser test) 15 times its own size,
// which puts the browser files among the heaviest folders, as they are.
import fs from 'node:fs';
import path from 'node:path';
import TestSequencer from '@jest/test-sequencer';

const size = (file) => fs.statSync(file).size;

function weight(file) {
  if (path.basename(file) !== 'all.test.ts') return 15 * size(file);
  const dir = path.dirname(file);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts'))
    .reduce((sum, f) => sum + size(path.join(dir, f)), 0);
}

export default class HeaviestFirst extends TestSequencer {
  sort(tests) {
    if (tests.every((t) => this.time(t) != null)) return super.sort(tests);
    return [...tests].sort((a, b) => weight(b.path) - weight(a.path));
  }
}

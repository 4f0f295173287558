// Starts the test files in the order of durations.json, whose seconds come from a measured run
// (`npm test -- --json`, rewritten when the suite's shape changes). The order is chosen, not sorted:
// on two cores the Chromium entry goes first, and beside it the entries that mostly wait (sockets,
// timers: channels, bot, core), not those that compute (data, imports, the back office), which
// would slow each other down (2026-12-06, randomized: 2 m 56 s – 3 m 11 s in that order, 3 m 27 s
// with data beside the browser). Jest's own saved durations are not used for the same reason.
// An entry missing from durations.json (a new folder) goes before the first listed entry it
// outweighs, weighing its specs' bytes (a standalone file 15 times its own) at the listed entries'
// median seconds per byte.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import TestSequencer from '@jest/test-sequencer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const measured = JSON.parse(fs.readFileSync(new URL('./durations.json', import.meta.url), 'utf8'));
const listed = Object.keys(measured);
const size = (file) => fs.statSync(file).size;

function bytes(file) {
  if (path.basename(file) !== 'all.test.ts') return 15 * size(file);
  const dir = path.dirname(file);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.spec.ts'))
    .reduce((sum, f) => sum + size(path.join(dir, f)), 0);
}

export default class ChosenOrder extends TestSequencer {
  sort(tests) {
    const rel = (t) => path.relative(root, t.path);
    const known = tests.filter((t) => listed.includes(rel(t)));
    const rates = known.map((t) => measured[rel(t)] / bytes(t.path)).sort((a, b) => a - b);
    const rate = rates.length ? rates[Math.floor(rates.length / 2)] : 1;
    const ordered = [...known].sort((a, b) => listed.indexOf(rel(a)) - listed.indexOf(rel(b)));
    // New entries, heaviest first, each before the first listed entry it outweighs.
    const fresh = tests.filter((t) => !listed.includes(rel(t))).map((t) => [t, bytes(t.path) * rate]);
    for (const [t, weight] of fresh.sort((a, b) => b[1] - a[1])) {
      const at = ordered.findIndex((o) => listed.includes(rel(o)) && measured[rel(o)] < weight);
      ordered.splice(at === -1 ? ordered.length : at, 0, t);
    }
    return ordered;
  }
}

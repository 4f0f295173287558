// The back office in Chromium: every spec in this folder, in one jest module registry (test/helpers/specs.ts).
// One entry, so its browser work runs beside the other entries rather than beside itself.
import { loadSpecs } from '../helpers/specs.js';

await loadSpecs(import.meta.url);

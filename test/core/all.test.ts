// Every spec in this folder and in cluster, jobs, in one jest module registry (see test/helpers/specs.ts).
import { loadSpecs } from '../helpers/specs.js';

await loadSpecs(import.meta.url, ['../cluster', '../jobs']);

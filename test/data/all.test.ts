// Every spec in this folder and in data/backup, in one jest module registry (see test/helpers/specs.ts).
import { loadSpecs } from '../helpers/specs.js';

await loadSpecs(import.meta.url, ['backup']);

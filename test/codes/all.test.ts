// Every spec in this folder and in duplicates, lists, merge, in one jest module registry (see test/helpers/specs.ts).
import { loadSpecs } from '../helpers/specs.js';

await loadSpecs(import.meta.url, ['../duplicates', '../lists', '../merge']);

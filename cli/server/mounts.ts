import type { Core } from '../../core/context.js';
import type { Mount } from './app.js';
import { deferredMount } from './deferred.js';
import { metricsMount } from './metrics.js';
import { enabledChannels } from '../../bot/channels/registry.js';
import { WEBHOOK_DOOR } from '../../core/webhooks/enqueue.js';
import { createBot } from '../../bot/runtime.js';
import { holdSockets } from '../../bot/channels/socket-holder.js';
import { apiMount } from '../../api/index.js';
import { webhookDispatcherMount } from '../../api/webhooks/index.js';
import { startJsherpWriteBack } from '../../jobs/jsherp-write-back.js';

/** The doors served over HTTP, in mount order. Each door owns its routes. */
export async function buildMounts(core: Core): Promise<Mount[]> {
  const mounts: Mount[] = [];
  // One bot: its notifier also tells approvers about deletion requests that arrive through the API.
  const bot = createBot(core);
  mounts.push((app, router) => {
    bot.mount(app, router);
    bot.start();
    // Long connections (DingTalk Stream, WeCom AI bot, Feishu): each held by exactly one instance.
    const sockets = holdSockets(core, bot.sockets);
    return async () => {
      // Released first, so another instance takes the connections over at once.
      await sockets.stop();
      await bot.stop();
    };
  });
  // Before the back office, whose session middleware the API neither needs nor should pay for.
  mounts.push(apiMount({ core, notifier: bot.deps.notifier }));
  // Loaded by the first /admin request (see deferred.ts): AdminJS would be a third of the start and of the RSS.
  const underAdmin = (p: string) => p === '/admin' || p.startsWith('/admin/');
  mounts.push(
    deferredMount(core, underAdmin, async () =>
      (await import('../../admin/index.js')).adminMount(core, { notifier: bot.deps.notifier }),
    ),
  );
  mounts.push(webhookDispatcherMount(core));
  // jshERP write-backs (停用 → enabled=0, …) within seconds while the server runs; a no-op when not configured.
  mounts.push(() => startJsherpWriteBack(core, bot.deps.notifier));
  // /metrics: only with METRICS_PORT or METRICS_TOKEN set (see metrics.ts).
  const metrics = metricsMount(core, [...enabledChannels(core).map((c) => c.id), WEBHOOK_DOOR]);
  if (metrics) mounts.push(metrics);
  return mounts;
}

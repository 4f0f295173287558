import { jobActor, type Core } from '../core/context.js';
import { applyWriteBacks, openConfigured } from '../core/ledger/jsherp/index.js';
import { blockedDeleteNotice } from './jsherp-sync.js';
import type { JobNotifier } from './types.js';

/**
 * While the server runs, applies queued jshERP write-backs every `everyMs` (2 s): a 停用 reaches
 * jshERP within seconds. Failures stay queued with a backoff. Returns the stopper.
 */
export function startJsherpWriteBack(core: Core, notifier: JobNotifier, everyMs = 2_000): () => Promise<void> {
  if (!core.config.JSHERP_DATABASE_URL || !core.config.JSHERP_WRITE_BACK || core.config.JSHERP_TENANT_ID === undefined)
    return async () => undefined;
  const db = openConfigured(core.config);
  const actor = { ...jobActor('jsherp-write-back'), requestId: 'jsherp-write-back' };
  let running: Promise<void> | null = null;
  let lastError: string | null = null;
  const tick = () => {
    running ??= (async () => {
      try {
        const r = await applyWriteBacks(core, actor, db, blockedDeleteNotice(core, notifier));
        // One warning per outage, not one every two seconds.
        if (r.error && r.error !== lastError)
          core.logger.warn({ error: r.error }, 'jshERP write-back waits: jshERP unavailable');
        lastError = r.error;
      } catch (err) {
        core.logger.error({ err }, 'jshERP write-back round failed');
      }
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await db.close().catch(() => undefined);
  };
}

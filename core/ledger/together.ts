import type { Core } from '../context.js';
import { isMysql } from '../data/sql.js';

/**
 * Runs independent statements of one transaction. On MySQL they are all issued at once: the
 * connection runs them one after another, each sent as soon as the previous one is answered,
 * without waiting for this thread to come round (SQLite runs them in turn). The first failure is
 * thrown once every statement has settled, so none is left running after a rollback.
 */
export async function together(core: Core, tasks: (() => Promise<unknown>)[]): Promise<void> {
  if (!isMysql(core.models.sequelize)) {
    for (const task of tasks) await task();
    return;
  }
  const settled = await Promise.allSettled(tasks.map((task) => task()));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * The composition root for the CLI's commands: everything they take from the other doors (the
 * bot's outbox and console, the job scheduler), in one place. With cli/server/mounts.ts (the
 * server's doors) it is the only file allowed to import another door (eslint.config.js), so a new
 * dependency between doors shows up here.
 */
import type { Core } from '../core/context.js';
import { Notifier } from '../bot/notify/notifier.js';

export { consoleInbox, consoleSay, renderReplies, type ConsoleOptions } from '../bot/console.js';
export { createBot } from '../bot/runtime.js';
export type { Reply } from '../bot/types.js';
export {
  JOBS,
  checkSchedules,
  findJob,
  nextRuns,
  scheduleOf,
  scheduleVariable,
  startScheduler,
} from '../jobs/index.js';
export { jsherpSyncJob } from '../jobs/jsherp-sync.js';
export { runJob } from '../jobs/runner.js';

/** The outbox jobs and the CLI write to: the bot's notifier (the running server's dispatcher sends it). */
export function outboxFor(core: Core): Notifier {
  return new Notifier(core);
}

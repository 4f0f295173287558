import type { Config } from '../core/config.js';
import type { Actor, Core } from '../core/context.js';
import type { Logger } from '../core/logger.js';
import type { OutboxPort } from '../core/notify-port.js';

/** What a job may send: the outbox port (the bot's notifier, handed over by the composition root). */
export type JobNotifier = OutboxPort;

/** Everything a job's run() gets; nothing else (no globals, no node-cron). */
export interface JobDeps {
  core: Core;
  /** jobActor(name): admin rights, audited as door `job`. */
  actor: Actor;
  notifier: JobNotifier;
  /** Report what would happen; change nothing and send nothing. */
  dryRun: boolean;
  log: Logger;
}

/** How a run ended; thrown errors become status 'failed' with the error's message. */
export interface JobOutcome {
  status?: 'succeeded' | 'failed' | 'skipped';
  /** One Chinese line for the back office, the CLI and the admins' chat. */
  summary: string;
  /** Figures behind the summary, stored as JSON. */
  detail?: Record<string, unknown>;
}

/** A scheduled job as data. `schedule` is the default cron; JOB_<NAME>_CRON overrides it. */
export interface Job {
  name: string;
  /** Chinese name for lists and messages. */
  title: string;
  schedule: string;
  /** The variable that overrides `schedule` (default JOB_<NAME>_CRON). */
  variable?: string;
  /** Scheduled only when this says so (e.g. a connector that is configured); default always. */
  enabled?: (config: Config) => boolean;
  run(deps: JobDeps): Promise<JobOutcome>;
}

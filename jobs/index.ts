import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../core/config.js';
import type { Core } from '../core/context.js';
import { DomainError } from '../core/errors.js';
import { approvalExpiryJob } from './approval-expiry.js';
import { auditCheckpointJob } from './audit-checkpoint.js';
import { backupJob } from './backup.js';
import { inactiveReviewJob } from './inactive-review.js';
import { integrityCheckJob } from './integrity-check.js';
import { jsherpSyncJob } from './jsherp-sync.js';
import { monthlyReportJob } from './monthly-report.js';
import { reactivateDueJob } from './reactivate-due.js';
import { recyclePurgeJob } from './recycle-purge.js';
import { runJob, type RunResult } from './runner.js';
import type { Job, JobNotifier } from './types.js';

/** Every job, in the order `steward jobs list` shows them. This is the only file that touches node-cron. */
export const JOBS: readonly Job[] = [
  backupJob,
  inactiveReviewJob,
  approvalExpiryJob,
  reactivateDueJob,
  recyclePurgeJob,
  monthlyReportJob,
  integrityCheckJob,
  jsherpSyncJob,
  auditCheckpointJob,
];

/** `inactive-review` → `JOB_INACTIVE_REVIEW_CRON`. */
export function scheduleVariable(job: Pick<Job, 'name' | 'variable'>): string {
  if (job.variable) return job.variable;
  return `JOB_${job.name.toUpperCase().replace(/-/g, '_')}_CRON`;
}

/** The cron expression in force: the JOB_<NAME>_CRON variable, else the job's default. */
export function scheduleOf(job: Job, config: Config): string {
  const value = (config as unknown as Record<string, unknown>)[scheduleVariable(job)];
  return typeof value === 'string' && value.trim() ? value.trim() : job.schedule;
}

/** The job with this name, or null. */
export function findJob(name: string, jobs: readonly Job[] = JOBS): Job | null {
  return jobs.find((j) => j.name === name) ?? null;
}

/** Throws one Chinese line naming every schedule node-cron cannot parse. */
export function checkSchedules(config: Config, jobs: readonly Job[] = JOBS): void {
  const bad = jobs
    .filter((j) => !cron.validate(scheduleOf(j, config)))
    .map((j) => `${scheduleVariable(j)}=${JSON.stringify(scheduleOf(j, config))}`);
  if (bad.length)
    throw new DomainError(
      'VALIDATION',
      `定时任务配置错误: ${bad.join('; ')} 不是有效的 cron 表达式 (例如 "0 3 * * *" 表示每天 03:00)。`,
      { schedules: bad },
    );
}

/** The next planned times of a job, for `steward jobs list`. */
export function nextRuns(job: Job, config: Config, count = 1): Date[] {
  const task = cron.createTask(scheduleOf(job, config), () => undefined, { timezone: config.STEWARD_TIMEZONE });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}

export interface SchedulerOptions {
  notifier: JobNotifier;
  jobs?: readonly Job[];
  /** Called after each attempt (claimed or not), for tests and metrics. */
  onAttempt?: (job: Job, result: RunResult) => void;
}

/**
 * Schedules every job in STEWARD_TIMEZONE with noOverlap. Every instance schedules all jobs;
 * the (job, slot) claim in runJob lets exactly one of them run each slot. Returns the stopper,
 * which waits for runs in progress.
 */
export function startScheduler(core: Core, opts: SchedulerOptions): () => Promise<void> {
  const jobs = (opts.jobs ?? JOBS).filter((j) => j.enabled?.(core.config) ?? true);
  checkSchedules(core.config, jobs);
  const inFlight = new Set<Promise<void>>();
  const logger = {
    info: (m: string) => core.logger.info({ source: 'node-cron' }, m),
    warn: (m: string) => core.logger.warn({ source: 'node-cron' }, m),
    error: (m: string | Error) => core.logger.error({ source: 'node-cron', err: m }, 'scheduler error'),
    debug: (m: string | Error) => core.logger.debug({ source: 'node-cron' }, String(m)),
  };
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      scheduleOf(job, core.config),
      (ctx) => {
        const run = runJob(core, job, { notifier: opts.notifier, trigger: 'schedule', slot: ctx.date })
          .then((result) => opts.onAttempt?.(job, result))
          .catch((err: unknown) => core.logger.error({ err, job: job.name }, 'job could not be started'));
        inFlight.add(run);
        return run.finally(() => inFlight.delete(run));
      },
      {
        name: `steward:${job.name}:${Math.random().toString(36).slice(2, 8)}`,
        timezone: core.config.STEWARD_TIMEZONE,
        noOverlap: true,
        logger,
      },
    ),
  );
  core.logger.info(
    { jobs: jobs.map((j) => `${j.name} ${scheduleOf(j, core.config)}`), timezone: core.config.STEWARD_TIMEZONE },
    'scheduler started',
  );
  return async () => {
    for (const t of tasks) await t.destroy();
    await Promise.allSettled([...inFlight]);
  };
}

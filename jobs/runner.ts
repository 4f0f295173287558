import crypto from 'node:crypto';
import os from 'node:os';
import { Op } from 'sequelize';
import { jobActor, type Core } from '../core/context.js';
import { withCorrelation } from '../core/correlation.js';
import { isDomainError } from '../core/errors.js';
import { activeAdmins } from '../core/operators.js';
import { recordJobRun } from '../core/metrics.js';
import type { JobRun } from '../models/index.js';
import { isLostRace } from '../models/tx.js';
import type { Job, JobNotifier, JobOutcome } from './types.js';

/** host:pid, recorded on each run so the history shows which instance ran a slot. */
export const INSTANCE = `${os.hostname()}:${process.pid}`.slice(0, 100);
/** A run still 'running' after this long belonged to an instance that died. */
const STALE_MS = 12 * 3600_000;

export interface RunOptions {
  notifier: JobNotifier;
  trigger: 'schedule' | 'manual';
  /** The planned time of a scheduled run (node-cron's context.date); ignored for manual runs. */
  slot?: Date;
  dryRun?: boolean;
}

export type RunResult = { claimed: false; slot: string } | { claimed: true; run: JobRun };

/** The slot key: the planned time to the second for scheduled runs, unique for hand runs. */
export function slotKey(trigger: RunOptions['trigger'], slot?: Date): string {
  if (trigger === 'manual' || !slot) return `manual:${crypto.randomUUID()}`;
  return `${new Date(Math.floor(slot.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Claims the slot by inserting its row; a unique violation means another instance has it. */
async function claim(core: Core, job: Job, slot: string, opts: RunOptions): Promise<JobRun | null> {
  try {
    return await core.models.JobRun.create({
      job: job.name,
      slot,
      trigger: opts.trigger,
      dryRun: Boolean(opts.dryRun),
      instance: INSTANCE,
      status: 'running',
      startedAt: core.now(),
      finishedAt: null,
      summary: null,
      detail: null,
    });
  } catch (err) {
    // A unique violation, or a 1213/1205 on a multi-master cluster: another instance has the slot.
    if (isLostRace(err)) return null;
    throw err;
  }
}

/** Marks runs left 'running' by a dead instance as failed, so the history does not lie. */
async function closeAbandoned(core: Core, job: Job): Promise<void> {
  try {
    await core.models.JobRun.update(
      { status: 'failed', finishedAt: core.now(), summary: '运行中断: 运行它的实例在完成前停止了 (进程退出或重启)。' },
      {
        where: { job: job.name, status: 'running', startedAt: { [Op.lt]: new Date(core.now().getTime() - STALE_MS) } },
      },
    );
  } catch (err) {
    // Every instance tidies up at the same slot; on a cluster the others' UPDATE wins (1213), which is fine.
    if (!isLostRace(err)) throw err;
  }
}

/** The message of a failure, in Chinese when core said it. */
function failureText(err: unknown): string {
  if (isDomainError(err)) return err.message;
  return `运行出错: ${(err as Error)?.message ?? String(err)}`;
}

/** Tells every active admin that a run failed (chat on each configured messenger, and the console inbox). */
export async function notifyAdmins(
  core: Core,
  notifier: JobNotifier,
  title: string,
  text: string,
  ref: string | null = null,
): Promise<number> {
  const admins = await activeAdmins(core);
  for (const admin of admins) await notifier.toOperator(admin, { title, text }, ref);
  return admins.length;
}

/**
 * Runs a job once: claims its (job, slot) row, runs it, records the outcome. A failure is
 * recorded and sent to the admins, never thrown; only a database error on the claim escapes.
 */
export async function runJob(core: Core, job: Job, opts: RunOptions): Promise<RunResult> {
  const slot = slotKey(opts.trigger, opts.slot);
  await closeAbandoned(core, job);
  const row = await claim(core, job, slot, opts);
  if (!row) {
    core.logger.debug({ job: job.name, slot }, 'job slot already claimed by another instance');
    return { claimed: false, slot };
  }
  // One correlation id per run, the one its actor's audit events carry: every line it logs has it.
  return withCorrelation(`job:${job.name}:${row.id}`, () => runClaimed(core, job, row, slot, opts));
}

async function runClaimed(core: Core, job: Job, row: JobRun, slot: string, opts: RunOptions): Promise<RunResult> {
  const log = core.logger.child({ job: job.name, jobRunId: row.id, slot });
  log.info({ dryRun: row.dryRun, trigger: opts.trigger }, 'job started');
  let outcome: JobOutcome;
  const started = performance.now();
  try {
    outcome = await job.run({
      core,
      actor: { ...jobActor(job.name), requestId: `job:${job.name}:${row.id}` },
      notifier: opts.notifier,
      dryRun: Boolean(opts.dryRun),
      log,
    });
  } catch (err) {
    log.error({ err }, 'job failed');
    outcome = { status: 'failed', summary: failureText(err) };
  }
  const status = outcome.status ?? 'succeeded';
  recordJobRun(job.name, status, (performance.now() - started) / 1000);
  await row.update({
    status,
    finishedAt: core.now(),
    summary: outcome.summary.slice(0, 1000),
    detail: outcome.detail ? JSON.stringify(outcome.detail) : null,
  });
  log.info({ status, summary: outcome.summary }, 'job finished');
  if (status === 'failed' && !row.dryRun) {
    await notifyAdmins(
      core,
      opts.notifier,
      `定时任务失败: ${job.title}`,
      `${job.title} (${job.name}) 运行失败 — ${outcome.summary}\n运行记录 #${row.id}, 可在后台「任务运行」查看, 或用 steward jobs run ${job.name} 重跑。`,
      `job:${job.name}`,
    ).catch((err: unknown) => log.error({ err }, 'could not notify admins of a failed job'));
  }
  return { claimed: true, run: row };
}

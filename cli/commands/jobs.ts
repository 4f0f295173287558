import type { Command } from 'commander';
import type { Actor, Core } from '../../core/context.js';
import { localTime } from '../../core/deletion/approvals.js';
import { findInactive } from '../../core/review/inactive.js';
import { integrityReport, integrityText } from '../../core/review/integrity.js';
import { scanText } from '../../core/customers/duplicates/format.js';
import { findDuplicatePairs } from '../../core/customers/duplicates/scan.js';
import { JOBS, findJob, nextRuns, outboxFor, runJob, scheduleOf, scheduleVariable } from '../compose.js';
import { runAction, UserFacingError, withCore } from '../runtime.js';

const STATUS_LABELS: Record<string, string> = { running: '运行中', succeeded: '成功', failed: '失败', skipped: '跳过' };

/** Read-only questions from the terminal need no chat identity. */
const cliViewer: Actor = {
  door: 'cli',
  operator: { id: null, displayName: '命令行', active: true, roleList: () => ['viewer'] },
};

async function listJobs(core: Core): Promise<void> {
  for (const job of JOBS) {
    const last = await core.models.JobRun.findOne({
      where: { job: job.name },
      order: [
        ['startedAt', 'DESC'],
        ['id', 'DESC'],
      ],
    });
    const next = nextRuns(job, core.config)[0];
    const lastText = last
      ? `${localTime(core, last.startedAt)} ${STATUS_LABELS[last.status] ?? last.status}${last.dryRun ? ' (试运行)' : ''}: ${last.summary ?? ''}`
      : '从未运行';
    process.stdout.write(
      `${job.name}  ${job.title}\n  计划: ${scheduleOf(job, core.config)} (${scheduleVariable(job)}, 时区 ${core.config.STEWARD_TIMEZONE}); 下次 ${next ? localTime(core, next) : '—'}\n  上次: ${lastText}\n`,
    );
  }
  if (!core.config.JOBS_ENABLED)
    process.stdout.write('\n注意: JOBS_ENABLED=false, 服务不会按计划运行这些任务 (仍可手动 steward jobs run)。\n');
}

async function runByHand(core: Core, name: string, dryRun: boolean): Promise<number> {
  const job = findJob(name);
  if (!job)
    throw new UserFacingError(`没有名为「${name}」的任务。可用的任务: ${JOBS.map((j) => j.name).join(', ')}`, 2);
  // Messages go to the outbox; the running server's dispatcher sends them (the console inbox shows them at once).
  const result = await runJob(core, job, { notifier: outboxFor(core), trigger: 'manual', dryRun });
  if (!result.claimed) throw new UserFacingError('任务没有运行 (时段已被占用)。', 1);
  const run = result.run;
  process.stdout.write(
    `${job.title} (${job.name})${run.dryRun ? ' [试运行]' : ''}: ${STATUS_LABELS[run.status] ?? run.status}\n${run.summary ?? ''}\n运行记录 #${run.id}\n`,
  );
  return run.status === 'failed' ? 1 : 0;
}

function parseDays(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 3650)
    throw new UserFacingError(`--days 应为 1–3650 之间的整数, 收到「${raw}」。`, 2);
  return Number(raw);
}

async function review(core: Core, days: number | undefined, json: boolean): Promise<void> {
  const r = await findInactive(core, cliViewer, { days, figures: 0 });
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ days: r.days, notice: r.notice, customers: r.customers.map((c) => ({ code: c.code, name: c.name, owner: c.owner, lastOrderAt: c.lastOrderAt })) })}\n`,
    );
    return;
  }
  // Without order data nobody can be called inactive: say why instead of listing everyone.
  if (r.notice) {
    process.stdout.write(`${r.notice}\n`);
    return;
  }
  process.stdout.write(
    `超过 ${r.days} 天 (自 ${r.since} 起) 没有下单的启用客户: ${r.customers.length} 个 (含从未下单; 已排除 ${r.keepDays} 天内选择保留的)\n`,
  );
  for (const c of r.customers)
    process.stdout.write(`${c.code}\t${c.name}\t${c.owner ?? '未分配'}\t${c.lastOrderAt ?? '从未下单'}\n`);
}

/** `steward jobs list|run`, `steward review` and `steward check`. */
export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('定时任务: 查看和手动运行 (scheduled jobs)');
  jobs
    .command('list')
    .description('列出全部任务、计划和上次运行结果')
    .action(() => runAction(() => withCore(listJobs)));
  jobs
    .command('run')
    .description('立即运行一个任务 (结果记入任务运行表)')
    .argument('<name>', `任务名: ${JOBS.map((j) => j.name).join(' | ')}`)
    .option('--dry-run', '只报告将要做什么, 不改数据、不发消息', false)
    .action((name: string, o: { dryRun: boolean }) =>
      runAction(() => withCore((core) => runByHand(core, name, o.dryRun))),
    );

  program
    .command('review')
    .description('列出不活跃客户 (超过 N 天没有下单, 含从未下单的)')
    .option('--days <n>', '天数, 默认 REVIEW_INACTIVE_DAYS (180)')
    .option('--json', '输出 JSON: {"days":N,"customers":[{"code","name","owner","lastOrderAt"}]}', false)
    .action((o: { days?: string; json: boolean }) =>
      runAction(async () => {
        const days = parseDays(o.days);
        await withCore((core) => review(core, days, o.json));
      }),
    );

  program
    .command('check')
    .description('数据完整性验证: 孤立单据、已删除客户的未了结业务、审计链、编码规则、疑似重复客户')
    .option('--json', '输出 JSON', false)
    .option('--duplicates', '另外列出全部疑似重复客户 (同手机/同名称/与已并入的客户相同, 已忽略和已合并的除外)', false)
    .action((o: { json: boolean; duplicates: boolean }) =>
      runAction(() =>
        withCore(async (core) => {
          const report = await integrityReport(core);
          const dupes = o.duplicates ? await findDuplicatePairs(core) : null;
          if (o.json) process.stdout.write(`${JSON.stringify(dupes ? { ...report, duplicates: dupes } : report)}\n`);
          else
            process.stdout.write(
              `${integrityText(report)}\n${dupes ? `\n${scanText(dupes, Number.MAX_SAFE_INTEGER)}\n` : ''}`,
            );
          return report.ok ? 0 : 1;
        }),
      ),
    );
}

import { beforeAll, describe, expect, it } from '@jest/globals';
import { Notifier } from '../../bot/notify/notifier.js';
import type { Reply } from '../../bot/types.js';
import { loadConfig } from '../../core/config.js';
import { DomainError } from '../../core/errors.js';
import { checkSchedules, JOBS, nextRuns, scheduleOf, scheduleVariable, startScheduler } from '../../jobs/index.js';
import { runJob, slotKey } from '../../jobs/runner.js';
import type { Job } from '../../jobs/types.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { until } from '../helpers/until.js';

/** A job that counts its runs and can be told to fail. */
function countingJob(name: string, behaviour: { fail?: string; ms?: number } = {}): Job & { runs: number } {
  const job = {
    name,
    title: '测试任务',
    schedule: '* * * * * *',
    runs: 0,
    async run({ dryRun }: { dryRun: boolean }) {
      job.runs++;
      if (behaviour.ms) await new Promise((r) => setTimeout(r, behaviour.ms));
      if (behaviour.fail) throw new DomainError('CONFLICT', behaviour.fail);
      return { summary: `第 ${job.runs} 次${dryRun ? ' (试运行)' : ''}`, detail: { n: job.runs } };
    },
  };
  return job;
}

let notifier: Notifier;
let adminId: number;

/** A notifier, an admin (told of failures) and a salesperson (never told); each block gets its own database. */
function setupRunner(h: Harness): void {
  beforeAll(async () => {
    notifier = new Notifier(h.core);
    adminId = (await h.operator('值班管理员', ['admin'])).id;
    await h.operator('普通销售', ['sales']);
  });
}

eachDialect('job runner: history, once per slot, failures to the admins', (h) => {
  setupRunner(h);

  const inbox = async (operatorId: number): Promise<Reply[]> =>
    (
      await h.core.models.BotOutbox.findAll({
        where: { door: 'console', targetId: `op:${operatorId}` },
        order: [['id', 'ASC']],
      })
    ).map((r) => (JSON.parse(r.payload) as { reply: Reply }).reply);

  it('records start, end, status and summary of each run', async () => {
    const job = countingJob('t-history');
    const result = await runJob(h.core, job, { notifier, trigger: 'manual' });
    expect(result.claimed).toBe(true);
    const row = await h.core.models.JobRun.findOne({ where: { job: 't-history' } });
    expect(row).toMatchObject({ status: 'succeeded', trigger: 'manual', dryRun: false, summary: '第 1 次' });
    expect(row!.slot).toMatch(/^manual:[0-9a-f-]{36}$/);
    expect(row!.finishedAt!.getTime()).toBeGreaterThanOrEqual(row!.startedAt.getTime() - 1000);
    expect(JSON.parse(row!.detail!)).toEqual({ n: 1 });
    expect(row!.instance).toMatch(/:\d+$/);
  });

  it('the same slot runs once, however many instances try it at the same moment', async () => {
    const job = countingJob('t-slot', { ms: 50 });
    const slot = new Date('2026-11-30T01:00:00.000Z');
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runJob(h.core, job, { notifier, trigger: 'schedule', slot })),
    );
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(job.runs).toBe(1);
    expect(await h.core.models.JobRun.count({ where: { job: 't-slot' } })).toBe(1);
    expect(slotKey('schedule', slot)).toBe('2026-11-30T01:00:00Z');
    // The next slot is a new run.
    await runJob(h.core, job, { notifier, trigger: 'schedule', slot: new Date('2026-11-30T01:05:00.000Z') });
    expect(job.runs).toBe(2);
  });

  it('a failed run is recorded with its reason and the admins are told in chat; a dry run tells nobody', async () => {
    const before = (await inbox(adminId)).length;
    await runJob(h.core, countingJob('t-fail', { fail: '备份目录不可写: /nope' }), {
      notifier,
      trigger: 'schedule',
      slot: new Date('2026-11-30T03:00:00Z'),
    });
    const row = await h.core.models.JobRun.findOne({ where: { job: 't-fail' } });
    expect(row).toMatchObject({ status: 'failed', summary: '备份目录不可写: /nope' });
    const mail = (await inbox(adminId)).slice(before);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.title).toBe('定时任务失败: 测试任务');
    expect(mail[0]!.text).toContain('测试任务 (t-fail) 运行失败 — 备份目录不可写: /nope');
    expect(mail[0]!.text).toContain(`运行记录 #${row!.id}`);
    const sales = await h.core.models.Operator.findOne({ where: { displayName: '普通销售' } });
    expect(await inbox(sales!.id)).toEqual([]);

    await runJob(h.core, countingJob('t-fail-dry', { fail: '坏了' }), { notifier, trigger: 'manual', dryRun: true });
    expect((await inbox(adminId)).length).toBe(before + 1);
  });
});

eachDialect('job runner: runs left by a dead instance, and two schedulers', (h) => {
  setupRunner(h);

  it('a run left "running" by a dead instance is closed as failed on the next attempt', async () => {
    const old = new Date(h.core.now().getTime() - 13 * 3600_000);
    await h.core.models.JobRun.create({
      job: 't-dead',
      slot: 'old-slot',
      trigger: 'schedule',
      dryRun: false,
      instance: 'gone:1',
      status: 'running',
      startedAt: old,
      finishedAt: null,
      summary: null,
      detail: null,
    });
    await runJob(h.core, countingJob('t-dead'), { notifier, trigger: 'manual' });
    const dead = await h.core.models.JobRun.findOne({ where: { job: 't-dead', slot: 'old-slot' } });
    expect(dead!.status).toBe('failed');
    expect(dead!.summary).toContain('运行中断');
  });

  it('two schedulers on one database: every cron slot runs exactly once', async () => {
    const job = countingJob('t-cron', { ms: 30 });
    const attempts: boolean[] = [];
    const stops = [1, 2].map(() =>
      startScheduler(h.core, { notifier, jobs: [job], onAttempt: (_j, r) => attempts.push(r.claimed) }),
    );
    // Until two slots have run and each was tried by both (the schedulers fire every second), not a fixed pause.
    const claimed = () => attempts.filter((c) => c).length;
    await until(() => claimed() >= 2 && attempts.length >= 2 * claimed(), 10_000, 'two slots tried by both schedulers');
    await Promise.all(stops.map((s) => s()));
    const rows = await h.core.models.JobRun.findAll({ where: { job: 't-cron' } });
    const slots = new Set(rows.map((r) => r.slot));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(slots.size).toBe(rows.length);
    expect(job.runs).toBe(rows.length);
    expect(attempts.filter((c) => c)).toHaveLength(rows.length);
    expect(attempts.filter((c) => !c).length).toBeGreaterThanOrEqual(rows.length - 1);
    expect(rows.every((r) => r.status === 'succeeded' && r.trigger === 'schedule')).toBe(true);
  });
});

describe('job schedules from the environment', () => {
  it('JOB_<NAME>_CRON overrides the default; a bad expression is refused naming the variable', () => {
    const config = loadConfig({ JOB_INACTIVE_REVIEW_CRON: '30 8 * * 1-5' });
    const review = JOBS.find((j) => j.name === 'inactive-review')!;
    expect(scheduleVariable(review)).toBe('JOB_INACTIVE_REVIEW_CRON');
    expect(scheduleOf(review, config)).toBe('30 8 * * 1-5');
    expect(scheduleOf(JOBS.find((j) => j.name === 'backup')!, config)).toBe('0 3 * * *');
    expect(() => checkSchedules(loadConfig({ JOB_BACKUP_CRON: '0 25 * * *' }))).toThrow(
      '定时任务配置错误: JOB_BACKUP_CRON="0 25 * * *" 不是有效的 cron 表达式',
    );
    expect(() => loadConfig({ JOB_BACKUP_CRON: 'daily' })).toThrow(
      'JOB_BACKUP_CRON 应为 cron 表达式 (5 或 6 段, 例如 "0 3 * * *")',
    );
  });

  it("every job is listed once with the issue's defaults, in STEWARD_TIMEZONE", () => {
    const config = loadConfig({});
    expect(JOBS.map((j) => [j.name, scheduleOf(j, config)])).toEqual([
      ['backup', '0 3 * * *'],
      ['inactive-review', '0 9 * * 1'],
      ['approval-expiry', '*/5 * * * *'],
      ['reactivate-due', '10 0 * * *'],
      ['recycle-purge', '0 2 * * *'],
      ['monthly-report', '0 9 1 * *'],
      ['integrity-check', '0 4 * * 0'],
      ['jsherp-sync', '*/5 * * * *'],
      ['audit-checkpoint', '30 23 * * *'],
    ]);
    const next = nextRuns(JOBS[0]!, config)[0]!;
    // 03:00 in Shanghai is 19:00 UTC the day before.
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([19, 0]);
  });
});

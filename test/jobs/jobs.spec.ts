import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Notifier } from '../../bot/notify/notifier.js';
import type { OutboxPayload } from '../../bot/notify/payload.js';
import type { Reply } from '../../bot/types.js';
import type { Actor } from '../../core/context.js';
import { deactivate } from '../../core/customers/status.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { approvalExpiryJob } from '../../jobs/approval-expiry.js';
import { backupJob } from '../../jobs/backup.js';
import { integrityCheckJob } from '../../jobs/integrity-check.js';
import { monthlyReportJob, splitMessages } from '../../jobs/monthly-report.js';
import { reactivateDueJob } from '../../jobs/reactivate-due.js';
import { recyclePurgeJob } from '../../jobs/recycle-purge.js';
import { runJob } from '../../jobs/runner.js';
import type { Job } from '../../jobs/types.js';
import { eachDialect, withEnv, type Harness } from '../helpers/db.js';
import { WECOM } from '../helpers/wecom.js';
import { newCustomer } from '../core/fixtures.js';

let notifier: Notifier;
let admin: Actor;
let sales: Actor;
let approver: Actor;
const t0 = new Date('2026-11-25T02:00:00Z');

/** At t0 (again before each test), a notifier and an admin, a salesperson and an approver; each block gets its own database. */
function setupJobs(h: Harness): void {
  beforeAll(async () => {
    h.setNow(t0);
    notifier = new Notifier(h.core);
    admin = await h.actor('任务管理员', ['admin']);
    sales = await h.actor('任务销售', ['sales']);
    approver = await h.actor('任务审批人', ['approver']);
  });
  // Every test starts at t0, whatever clock the test before it left behind.
  beforeEach(() => h.setNow(t0));
}

/** Runs a job by hand (or dry), reads the outbox, and reads what an operator got in the console inbox. */
function jobTools(h: Harness) {
  const run = async (job: Job, dryRun = false) => {
    const r = await runJob(h.core, job, { notifier, trigger: 'manual', dryRun });
    if (!r.claimed) throw new Error('not claimed');
    return r.run;
  };
  const outbox = async (where: Record<string, unknown>) =>
    (await h.core.models.BotOutbox.findAll({ where, order: [['id', 'ASC']] })).map(
      (r) => JSON.parse(r.payload) as OutboxPayload,
    );
  const inbox = async (a: Actor): Promise<Reply[]> =>
    (await outbox({ door: 'console', targetId: `op:${a.operator.id}` })).flatMap((p) =>
      p.kind === 'message' ? [p.reply] : [],
    );
  return { run, outbox, inbox };
}

eachDialect(
  'the jobs, each run on its own: approval-expiry and reactivate-due',
  (h) => {
    setupJobs(h);
    const { run, outbox, inbox } = jobTools(h);

    it('approval-expiry: overdue requests expire, their cards are greyed out and the requester is told', async () => {
      const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
      const request = await requestDeletion(h.core, sales, c.code, '重复录入');
      const dry = await run(approvalExpiryJob, true);
      expect(dry.summary).toBe('试运行: 有 0 个审批单已过期待处理, 未做改动。');
      h.setNow(new Date(t0.getTime() + 49 * 3600_000));
      expect((await run(approvalExpiryJob, true)).summary).toBe('试运行: 有 1 个审批单已过期待处理, 未做改动。');
      const done = await run(approvalExpiryJob);
      expect(done.summary).toBe(`已将 1 个审批单标记为过期并通知申请人: #${request.id}。`);
      await request.reload();
      expect(request.status).toBe('expired');
      const event = await h.core.models.AuditEvent.findOne({
        where: { action: 'deletion.expire', customerCode: c.code },
      });
      expect([event!.door, event!.operatorName]).toEqual(['job', '定时任务「审批过期处理」']);
      const cardUpdates = await outbox({ door: 'wecom', targetKind: 'update', targetId: `approval:${request.id}` });
      expect(cardUpdates).toEqual([
        expect.objectContaining({
          kind: 'card-update',
          ref: `approval:${request.id}`,
          text: expect.stringMatching(/^已过期 · \d\d:\d\d$/),
        }),
      ]);
      const receipt = (await inbox(sales)).at(-1)!;
      expect(receipt.text).toContain(`你申请删除客户 ${c.code} 的审批单 #${request.id}`);
      expect(receipt.text).toContain('已过期; 客户没有被删除');
      expect((await run(approvalExpiryJob)).summary).toBe('没有过期的审批单。');
    });

    it('reactivate-due: a customer whose 停用至 date has come is active again, audited by the job, and the owner is told', async () => {
      h.setNow(t0);
      const c = await newCustomer(h, admin, { ownerId: sales.operator.id });
      await deactivate(h.core, admin, c.code, { reason: '客户要求', until: '2026-11-27' });
      expect((await run(reactivateDueJob)).summary).toBe('已启用 0 个停用到期的客户。');
      // 2026-11-26 17:00 UTC is already the 27th in Shanghai.
      h.setNow(new Date('2026-11-26T17:00:00Z'));
      expect((await run(reactivateDueJob, true)).summary).toContain(`将被启用: ${c.code}`);
      expect((await run(reactivateDueJob)).summary).toBe(`已启用 1 个停用到期的客户: ${c.code}。`);
      const row = await h.core.models.Customer.findByPk(c.id);
      expect([row!.status, row!.reactivateOn]).toEqual(['active', null]);
      const event = await h.core.models.AuditEvent.findOne({
        where: { action: 'customer.reactivate', customerCode: c.code },
      });
      expect([event!.door, JSON.parse(event!.diff).info]).toEqual([
        'job',
        { note: '停用至 2026-11-27 已到, 自动启用' },
      ]);
      expect((await inbox(sales)).at(-1)!.text).toBe(
        `客户 ${c.code} ${c.name} 的停用至日期 (2026-11-27) 已到, 已自动启用, 可以正常下单了。`,
      );
    });
  },
  { ...WECOM, WECOM_GROUP_WEBHOOK_KEY: '' },
);

eachDialect(
  'the jobs, each run on its own: recycle-purge and integrity-check',
  (h) => {
    setupJobs(h);
    const { run, inbox } = jobTools(h);

    it('recycle-purge: entries past retention lose their personal data; younger ones are left alone', async () => {
      h.setNow(t0);
      const c = await newCustomer(h, admin, { ownerId: sales.operator.id!, phone: '13912345678', contact: '孙经理' });
      const request = await requestDeletion(h.core, sales, c.code, '客户已注销');
      await approve(h.core, approver, request.id);
      expect((await run(recyclePurgeJob)).summary).toBe('已清除 0 个过保留期客户的个人信息。');
      h.setNow(new Date(t0.getTime() + 181 * 86400_000));
      const done = await run(recyclePurgeJob);
      expect(done.summary).toContain(`已清除 1 个过保留期客户的个人信息 (${c.code})`);
      const row = await h.core.models.Customer.findByPk(c.id);
      expect([row!.name, row!.contact, row!.phoneEnc]).toEqual([`已删除客户-${c.id}`, null, null]);
      const event = await h.core.models.AuditEvent.findOne({
        where: { action: 'customer.purge', customerCode: c.code },
      });
      expect(event!.door).toBe('job');
    });

    it('integrity-check: finds an orphaned order and a deleted customer with open business, and reports to the admins', async () => {
      h.setNow(t0);
      const clean = await run(integrityCheckJob);
      expect(clean.summary).toBe('通过: 未发现问题。');
      await h.core.models.SalesOrder.create({
        number: 'SO-ORPHAN-1',
        customerId: 987654,
        status: 'completed',
        orderDate: '2026-01-01',
        total: '10.00',
      });
      const gone = await newCustomer(h, admin);
      await h.core.models.SalesOrder.create({
        number: 'SO-OPEN-DEL',
        customerId: gone.id,
        status: 'confirmed',
        orderDate: '2026-11-01',
        total: '20.00',
      });
      await h.core.models.Customer.update({ status: 'deleted' }, { where: { id: gone.id } });
      const found = await run(integrityCheckJob);
      expect(found.summary).toContain('发现问题: 孤立订单 (客户不存在) 1; 已删除客户仍有未了结业务 1');
      const report = (await inbox(admin)).at(-1)!;
      expect(report.title).toBe('每周数据完整性验证');
      expect(report.text).toContain('❌ 孤立订单 (客户不存在): 1 — SO-ORPHAN-1');
      expect(report.text).toContain(`❌ 已删除客户仍有未了结业务: 1 — ${gone.code}`);
      expect(report.text).toContain('链完整');
      await h.core.models.SalesOrder.destroy({ where: { number: ['SO-ORPHAN-1', 'SO-OPEN-DEL'] } });
    });
  },
  { ...WECOM, WECOM_GROUP_WEBHOOK_KEY: '' },
);

eachDialect(
  'the jobs, each run on its own: monthly-report and backup',
  (h) => {
    setupJobs(h);
    const { run, outbox, inbox } = jobTools(h);

    it('monthly-report: the shared report functions, to the group, under the size limit', async () => {
      const live = await newCustomer(h, admin);
      const gone = await newCustomer(h, admin);
      await h.core.models.SalesOrder.create({
        number: 'SO-MONTH-1',
        customerId: live.id,
        status: 'completed',
        orderDate: '2026-11-02',
        total: '300.00',
      });
      await h.core.models.SalesOrder.create({
        number: 'SO-MONTH-2',
        customerId: gone.id,
        status: 'completed',
        orderDate: '2026-11-03',
        total: '100.00',
      });
      await h.core.models.Customer.update({ status: 'deleted' }, { where: { id: gone.id } });
      // Only this job gets the group webhook; the others run without one.
      const withGroup = withEnv(h.core, { WECOM_GROUP_WEBHOOK_KEY: WECOM.WECOM_GROUP_WEBHOOK_KEY });
      const r = await runJob(withGroup, monthlyReportJob, { notifier: new Notifier(withGroup), trigger: 'manual' });
      if (!r.claimed) throw new Error('not claimed');
      const done = r.run;
      expect(done.summary).toMatch(/^月报已发送到群: \d 条消息。$/);
      const sent = (await outbox({ door: 'wecom', targetKind: 'group' })).flatMap((p) =>
        p.kind === 'message' ? [p.reply] : [],
      );
      const text = sent.map((r) => r.text).join('\n');
      expect(text).toContain('**客户分析**');
      expect(text).toContain('**月度销售**');
      expect(text).toContain('**应收账龄**');
      expect(text).toContain('2026-11: ¥400.00 (2 单), 其中已删除客户 ¥100.00');
      expect(text).toContain('其中 ¥100.00 (25.0%) 属于已删除客户; 删除客户不会改变历史销售额');
      expect(text).toContain(`1. ${live.code} ${live.name} ¥300.00 / 1 单`);
      for (const r of sent) expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(3500);
      await h.core.models.SalesOrder.destroy({ where: { number: ['SO-MONTH-1', 'SO-MONTH-2'] } });
    });

    it('backup: a full backup, verified by a real restore, and the admins get the result', async () => {
      const done = await run(backupJob);
      expect(done.status).toBe('succeeded');
      expect(done.summary).toMatch(/^备份完成并验证通过: \d+ 行, \d+ KB。$/);
      const record = await h.core.models.BackupRecord.findOne({ order: [['id', 'DESC']] });
      expect([record!.reason, record!.verifyStatus]).toEqual(['job', 'passed']);
      expect((await inbox(admin)).at(-1)!.title).toBe('每日备份完成');
    });
  },
  { ...WECOM, WECOM_GROUP_WEBHOOK_KEY: '' },
);

describe('splitting long digests', () => {
  it('keeps every message under the byte limit and numbers the parts', () => {
    const sections = Array.from({ length: 12 }, (_, i) => `**第 ${i + 1} 节**\n${'客户数据'.repeat(60)}`);
    const parts = splitMessages('月度客户分析', sections, 1200);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(1200);
    expect(parts.map((p) => p.title)).toEqual(parts.map((_, i) => `月度客户分析 (${i + 1}/${parts.length})`));
    expect(parts.map((p) => p.text).join('\n\n')).toBe(sections.join('\n\n'));
  });
});

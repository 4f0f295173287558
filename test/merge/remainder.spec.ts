import path from 'node:path';
import { beforeAll, expect, it } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { Notifier } from '../../bot/notify/notifier.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { requestMerge } from '../../core/customers/merge/request.js';
import { importCustomers } from '../../core/data/import.js';
import { approvalExpiryJob } from '../../jobs/approval-expiry.js';
import { dashboardData } from '../../admin/dashboard.js';
import { sessionUser } from '../../admin/auth/session.js';
import { runJob } from '../../jobs/runner.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { HEADERS, tempDir, writeCsv } from '../data/fixtures.js';

let bot: BotRuntime;
let admin: Actor;
let zhang: Actor;
const t0 = new Date('2026-11-25T02:00:00Z');
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');
const inbox = async (who: string) =>
  (await consoleInbox(bot.deps, { as: who, door: 'wecom', group: false })).map((r) => r.text).join('\n');

/** An admin, 张三 (sales) and an approver on WeCom, at t0; each block gets its own database. */
function setupMergeUsers(h: Harness): void {
  beforeAll(async () => {
    h.setNow(t0);
    bot = createBot(h.core, { dispatch: false });
    admin = await h.actor('合并余项管理员', ['admin']);
    zhang = { operator: await h.operator('合并余项张三', ['sales'], { wecom: 'rest-zhang' }), door: 'wecom' };
    await h.operator('合并余项审批', ['approver'], { wecom: 'rest-approver' });
  });
}

eachDialect('merge requests: expiry, listed for approvers', (h) => {
  setupMergeUsers(h);

  it('待审批 lists pending merges beside deletions; an overdue merge expires and its requester is told', async () => {
    const keep = await newCustomer(h, admin, { ownerId: zhang.operator.id! });
    const dup = await newCustomer(h, admin, { ownerId: zhang.operator.id! });
    const { merge } = await requestMerge(h.core, zhang, { keep: keep.code, absorb: [dup.code], reason: '重复录入' });
    const pending = await say('rest-approver', '待审批');
    expect(pending).toContain(
      `合并单 #${merge.id}: ${dup.code} 并入 ${keep.code}, 申请人 合并余项张三, 原因: 重复录入`,
    );
    // The back office's dashboard lists it for approvers, not for the requester.
    const approverOp = (await h.core.models.Operator.findOne({ where: { displayName: '合并余项审批' } }))!;
    const board = await dashboardData(h.core, sessionUser(approverOp), '/admin');
    expect(board.pendingMerges).toEqual([
      { id: merge.id, text: expect.stringContaining(`合并单 #${merge.id}: ${dup.code} 并入 ${keep.code}`) },
    ]);
    expect((await dashboardData(h.core, sessionUser(zhang.operator as never), '/admin')).pendingMerges).toEqual([]);

    const notifier = new Notifier(h.core);
    const run = async (dryRun: boolean) => {
      const r = await runJob(h.core, approvalExpiryJob, { notifier, trigger: 'manual', dryRun });
      if (!r.claimed) throw new Error('not claimed');
      return r.run;
    };
    expect((await run(true)).summary).toBe('试运行: 有 0 个审批单已过期待处理, 未做改动。');
    h.setNow(new Date(t0.getTime() + 49 * 3600_000));
    expect((await run(true)).summary).toBe(
      '试运行: 有 0 个审批单已过期待处理, 另有 1 个合并申请已过期待处理, 未做改动。',
    );
    expect((await run(false)).summary).toBe(`已将 1 个合并申请标记为过期并通知申请人: #${merge.id}。`);
    await merge.reload();
    expect(merge.status).toBe('expired');
    const event = await h.core.models.AuditEvent.findOne({
      where: { action: 'merge.expire', customerCode: keep.code },
    });
    expect(event!.door).toBe('job');
    const told = await inbox('rest-zhang');
    expect(told).toContain(`你申请的合并单 #${merge.id} (${dup.code} 并入 ${keep.code}) 在 `);
    expect(told).toContain(`已过期; 客户保持原状。如仍需合并, 请重新发送「合并客户 ${keep.code} ${dup.code}」。`);
    expect(await say('rest-approver', '待审批')).toBe('没有等你审批的申请。');
    h.setNow(t0);
  });
});

eachDialect('merge requests: absorbed codes in imports', (h) => {
  setupMergeUsers(h);

  it('an import row with an absorbed code updates the survivor and says 「… 已并入 …」', async () => {
    const keep = await newCustomer(h, admin, { note: '保留方' });
    const dup = await newCustomer(h, admin, { note: '并入方' });
    const { merge } = await requestMerge(h.core, admin, { keep: keep.code, absorb: [dup.code], reason: '重复录入' });
    await approveMerge(h.core, await h.actor('合并余项审批', ['approver']), merge.id);
    const file = writeCsv(
      path.join(tempDir(), 'merged.csv'),
      [HEADERS, [dup.code, keep.name, '', '', '', '', '', '', '导入改的备注']],
      'utf-8-bom',
    );
    const dry = await importCustomers(h.core, admin, file);
    expect(dry.errors).toEqual([]);
    expect(dry.created).toBe(0);
    expect(dry.updated).toBe(1);
    expect(dry.notices).toContain(`第 2 行: ${dup.code} 已并入 ${keep.code}, 已按 ${keep.code} 处理`);
    await importCustomers(h.core, admin, file, { commit: true });
    const { Customer } = h.core.models;
    expect((await Customer.findOne({ where: { code: keep.code } }))!.note).toBe('导入改的备注');
    expect((await Customer.findOne({ where: { code: dup.code } }))!).toMatchObject({
      note: '并入方',
      status: 'deleted',
    });
    expect(await Customer.count({ where: { name: keep.name } })).toBe(1);
  });
});

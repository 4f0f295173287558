import { beforeAll, expect, it } from '@jest/globals';
import { registerJobs } from '../../cli/commands/jobs.js';
import { jobActor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';

/** A salesperson (WeCom cli-sales) with a customer dormant for 400 days and a new one that ordered today. */
function setupCliDatabase(h: Harness): string[] {
  const codes: string[] = [];
  beforeAll(async () => {
    const owner = await h.operator('命令行销售', ['sales'], { wecom: 'cli-sales' });
    for (const [name, age] of [
      ['沉睡贸易有限公司', 400],
      ['新建商行', 10],
    ] as const) {
      const { customer } = await createCustomer(h.core, jobActor('test'), { name, ownerId: owner.id });
      await h.core.models.sequelize.query('UPDATE customers SET created_at = ? WHERE id = ?', {
        replacements: [new Date(Date.now() - age * 86400_000), customer.id],
      });
      codes.push(customer.code);
    }
    // Order data is flowing (the review flags nobody without it): the new shop ordered today.
    await createOrder(h.core, jobActor('test'), { customerCode: codes[1]!, total: '10.00' });
  });
  return codes;
}

eachDialect('steward review (in process, on the test database)', (h) => {
  const codes = setupCliDatabase(h);
  const steward = (...argv: string[]) => runSteward(registerJobs, h.core, argv);

  it('review --json prints the list in the documented shape', async () => {
    const r = await steward('review', '--days', '180', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      days: 180,
      notice: null,
      customers: [{ code: codes[0], name: '沉睡贸易有限公司', owner: '命令行销售', lastOrderAt: null }],
    });
  });

  it('bad input is one Chinese line and exit 2', async () => {
    const bad = await steward('review', '--days', 'abc');
    expect([bad.code, bad.err.trim()]).toEqual([2, '错误: --days 应为 1–3650 之间的整数, 收到「abc」。']);
    const unknown = await steward('jobs', 'run', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err.trim()).toBe(
      '错误: 没有名为「nope」的任务。可用的任务: backup, inactive-review, approval-expiry, reactivate-due, recycle-purge, monthly-report, integrity-check, jsherp-sync, audit-checkpoint',
    );
  });
});

eachDialect('steward jobs / check (in process, on the test database)', (h) => {
  setupCliDatabase(h);
  const steward = (...argv: string[]) => runSteward(registerJobs, h.core, argv);

  it('jobs run --dry-run reports and stores the run; jobs list shows it', async () => {
    const r = await steward('jobs', 'run', 'inactive-review', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('不活跃客户审查 (inactive-review) [试运行]: 成功');
    expect(r.out).toContain(
      '试运行: 超过 180 天未下单的启用客户 1 个 (命令行销售 1); 将给 1 人发送审查清单, 未发送任何消息。',
    );
    const list = await steward('jobs', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toContain(
      'inactive-review  不活跃客户审查\n  计划: 0 9 * * 1 (JOB_INACTIVE_REVIEW_CRON, 时区 Asia/Shanghai)',
    );
    expect(list.out).toMatch(/上次: \d{4}-\d\d-\d\d \d\d:\d\d 成功 \(试运行\): 试运行: 超过 180 天/);
    expect(list.out).toContain('backup  每日备份\n  计划: 0 3 * * *');
  });

  it('check passes on clean data (exit 0) and fails with the finding (exit 1)', async () => {
    const ok = await steward('check');
    expect([ok.code, ok.out.split('\n')[0]]).toEqual([0, '数据完整性验证: 通过 ✅']);
    const orphan = await h.core.models.SalesOrder.create({
      number: 'SO-CLI-ORPHAN',
      customerId: 424242,
      status: 'completed',
      orderDate: '2026-01-05',
      total: '9.90',
    });
    try {
      const bad = await steward('check');
      expect(bad.code).toBe(1);
      expect(bad.out).toContain('数据完整性验证: 发现问题 ❌\n❌ 孤立订单 (客户不存在): 1 — SO-CLI-ORPHAN');
    } finally {
      await orphan.destroy();
    }
  });
});

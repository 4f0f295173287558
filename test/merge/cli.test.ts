import { beforeAll, expect, it } from '@jest/globals';
import { registerCustomers } from '../../cli/commands/customers.js';
import type { Actor } from '../../core/context.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { runSteward } from '../helpers/steward-cli.js';

let admin: Actor;
const c = {} as Record<'keep' | 'dup' | 'id' | 'order' | 'other', string>;

/** The CLI runs as this operator (its actor is created in beforeAll). */
const CLI_OPERATOR = { STEWARD_OPERATOR: 'cli-admin@test.local' };

eachDialect('steward customers merge|merge-approve|unmerge (in process, on the test database)', CLI_OPERATOR, (h) => {
  // One database, in order: the merge filed by the first test is approved and undone by the next.
  beforeAll(async () => {
    admin = await h.actor('cli-admin', ['admin']);
    await h.operator('approver-wang', ['approver']);
    c.keep = (await newCustomer(h, admin)).code;
    c.dup = (await newCustomer(h, admin)).code;
    c.order = (await createOrder(h.core, admin, { customerCode: c.dup, total: '99.00' })).number;
  });

  const steward = (...argv: string[]) => runSteward(registerCustomers, h.core, argv);

  it('shows the comparison first; --yes files the request; the requester cannot approve it', async () => {
    const dry = await steward('customers', 'merge', c.keep, c.dup, '--reason', '重复录入', '--set', '联系人=钱七');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`• ${c.dup}: 订单 1`);
    expect(dry.out).toContain('→ 用「钱七」 (你指定的)');
    expect(dry.out).toContain('没有提交。确认无误后加 --yes');
    expect(await h.core.models.CustomerMerge.count()).toBe(0);
    const filed = await steward(
      'customers',
      'merge',
      c.keep,
      c.dup,
      '--reason',
      '重复录入',
      '--set',
      '联系人=钱七',
      '--yes',
    );
    expect(filed.out).toMatch(/已提交合并申请 #\d+/);
    c.id = /#(\d+)/.exec(filed.out)![1]!;
    expect((await steward('customers', 'merges', '--as', 'cli-admin@test.local')).out).toBe('没有待审批的合并申请。\n');
    const self = await steward('customers', 'merge-approve', c.id);
    expect(self).toMatchObject({
      code: 1,
      err: `错误: 合并单 #${c.id} 是你自己提交的, 不能自己审批 (四眼原则)。请由另一位审批人处理。\n`,
    });
    const bad = await steward('customers', 'merge', c.keep, c.dup, '--reason', 'x', '--set', '颜色=红');
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('--set 应为 字段=值') });
  });

  approveThenUnmerge(h);
});

/** A conflict at approval rolls back; then it is approved, and unmerge puts it back. */
function approveThenUnmerge(h: Harness): void {
  const steward = (...argv: string[]) => runSteward(registerCustomers, h.core, argv);

  it('a database conflict at approval rolls everything back with a specific message', async () => {
    const approver = 'approver-wang@test.local';
    const keep = (await h.core.models.Customer.findOne({ where: { code: c.keep } }))!;
    // Someone else's alias already holds the absorbed code: the unique key refuses the merge's alias.
    const squatter = await h.core.models.CustomerAlias.create({
      code: c.dup,
      customerId: keep.id + 1000,
      mergeId: null,
      createdAt: new Date(),
    });
    const clash = await steward('customers', 'merge-approve', c.id, '--as', approver);
    expect(clash).toMatchObject({
      code: 1,
      err: `错误: 合并单 #${c.id} 执行时遇到数据库冲突 (编码或关联已被占用), 合并未执行, 没有任何改动。请稍后重试或重新发起。\n`,
    });
    expect((await h.core.models.SalesOrder.findOne({ where: { number: c.order } }))!.customerId).not.toBe(keep.id);
    expect((await h.core.models.CustomerMerge.findByPk(Number(c.id)))!.status).toBe('pending');
    expect((await h.core.models.Customer.findOne({ where: { code: c.dup } }))!.status).toBe('active');
    await squatter.destroy();
    const ok = await steward('customers', 'merge-approve', c.id, '--as', approver);
    expect(ok.out).toContain(`合并单 #${c.id} 已执行: ${c.dup} 已并入 ${c.keep}; 转移了 订单 1`);
    expect((await h.core.models.SalesOrder.findOne({ where: { number: c.order } }))!.customerId).toBe(keep.id);
  });

  it('unmerge puts it back', async () => {
    const r = await steward('customers', 'unmerge', c.id, '--yes');
    expect(r.out).toBe(`已撤销合并单 #${c.id}: ${c.dup} 已恢复为独立客户, 数据已从 ${c.keep} 移回。\n`);
    const again = await steward('customers', 'unmerge', c.id, '--yes');
    expect(again.err).toContain(`合并单 #${c.id} 已撤销过, 无需撤销。`);
  });
}

import { beforeAll, expect, it } from '@jest/globals';
import { registerCustomers } from '../../cli/commands/customers.js';
import type { Actor } from '../../core/context.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { requestMerge } from '../../core/customers/merge/request.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { runSteward } from '../helpers/steward-cli.js';

let admin: Actor;

/** The CLI runs as this operator (its actor is created in beforeAll). */
const CLI_OPERATOR = { STEWARD_OPERATOR: 'cli-admin@test.local' };

/** Two fresh customers of this test's own: keep, and dup with one order. */
async function mergePair(h: Harness): Promise<{ keep: string; dup: string; order: string }> {
  const keep = (await newCustomer(h, admin)).code;
  const dup = (await newCustomer(h, admin)).code;
  const order = (await createOrder(h.core, admin, { customerCode: dup, total: '99.00' })).number;
  return { keep, dup, order };
}

/** A fresh pair with a pending merge request filed by the CLI operator. */
async function filedMerge(h: Harness): Promise<{ keep: string; dup: string; order: string; id: string }> {
  const pair = await mergePair(h);
  const { merge } = await requestMerge(h.core, admin, { keep: pair.keep, absorb: [pair.dup], reason: '重复录入' });
  return { ...pair, id: String(merge.id) };
}

eachDialect('steward customers merge|merge-approve|unmerge (in process, on the test database)', CLI_OPERATOR, (h) => {
  // Each test files its own merge on its own customers.
  beforeAll(async () => {
    admin = await h.actor('cli-admin', ['admin']);
    await h.operator('approver-wang', ['approver']);
  });

  const steward = (...argv: string[]) => runSteward(registerCustomers, h.core, argv);

  it('shows the comparison first; --yes files the request; the requester cannot approve it', async () => {
    const c = await mergePair(h);
    const before = await h.core.models.CustomerMerge.count();
    const dry = await steward('customers', 'merge', c.keep, c.dup, '--reason', '重复录入', '--set', '联系人=钱七');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`• ${c.dup}: 订单 1`);
    expect(dry.out).toContain('→ 用「钱七」 (你指定的)');
    expect(dry.out).toContain('没有提交。确认无误后加 --yes');
    expect(await h.core.models.CustomerMerge.count()).toBe(before);
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
    const id = /#(\d+)/.exec(filed.out)![1]!;
    expect((await steward('customers', 'merges', '--as', 'cli-admin@test.local')).out).toBe('没有待审批的合并申请。\n');
    const self = await steward('customers', 'merge-approve', id);
    expect(self).toMatchObject({
      code: 1,
      err: `错误: 合并单 #${id} 是你自己提交的, 不能自己审批 (四眼原则)。请由另一位审批人处理。\n`,
    });
    const bad = await steward('customers', 'merge', c.keep, c.dup, '--reason', 'x', '--set', '颜色=红');
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('--set 应为 字段=值') });
  });

  approveThenUnmerge(h);
});

/** A conflict at approval rolls back, then it is approved; and unmerge puts an approved merge back. */
function approveThenUnmerge(h: Harness): void {
  const steward = (...argv: string[]) => runSteward(registerCustomers, h.core, argv);

  it('a database conflict at approval rolls everything back with a specific message', async () => {
    const c = await filedMerge(h);
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
    const c = await filedMerge(h);
    await approveMerge(h.core, await h.actor('approver-wang', ['approver']), Number(c.id));
    const r = await steward('customers', 'unmerge', c.id, '--yes');
    expect(r.out).toBe(`已撤销合并单 #${c.id}: ${c.dup} 已恢复为独立客户, 数据已从 ${c.keep} 移回。\n`);
    const again = await steward('customers', 'unmerge', c.id, '--yes');
    expect(again.err).toContain(`合并单 #${c.id} 已撤销过, 无需撤销。`);
  });
}

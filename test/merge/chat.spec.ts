import { expect, it } from '@jest/globals';
import { Op } from 'sequelize';
import type { Actor } from '../../core/context.js';
import { checkTransactable } from '../../core/api/transactable.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { moveOrder } from '../../core/orders.js';
import { searchCustomers } from '../../core/customers/search.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { approvedMerge, fileMerge, inbox, m, mergeCandidates, say, setupMergeChat } from './chat-candidates.js';

const erp: Actor = {
  door: 'api',
  operator: { id: null, displayName: 'erp-token', active: true, roleList: () => ['admin'] },
};

/** The ERP pushes one open order for `customerCode` (an old code is followed to its survivor). */
const pushOrder = (h: Harness, number: string, customerCode: string) =>
  applyLedger(
    h.core,
    erp,
    [{ type: 'order', number, customerCode, date: '2026-11-20', total: '50.00', status: 'open' }],
    { source: 'api' },
  );

eachDialect("合并客户 in chat: compare, confirm, an approver's OK, aliases everywhere, undo", (h) => {
  // Each test proposes, approves or undoes a merge of its own customers.
  setupMergeChat(h);
  proposeAndConfirm(h);
  approveAndFollowTheAlias(h);
  refusalsAndUndo(h);
});

/** 合并客户 compares, 确认 files it and tells the approvers; only another approver may approve. */
function proposeAndConfirm(h: Harness): void {
  it('shows the differences, what moves and the totals after; confirms; tells the approvers', async () => {
    const c = await mergeCandidates(h);
    const before = await h.core.models.CustomerMerge.count();
    const preview = await say('zhangsan', `合并客户 ${c.keep} ${c.dup} 联系人=王伟伟`);
    expect(preview).toContain(
      `合并客户: 保留 ${c.keep} 杭州瑞丰五金有限公司 (启用), 并入 ${c.dup} 杭州瑞丰五金 (启用)`,
    );
    expect(preview).toContain(
      `• 客户名称: ${c.keep}「杭州瑞丰五金有限公司」; ${c.dup}「杭州瑞丰五金」 → 用「杭州瑞丰五金有限公司」`,
    );
    expect(preview).toContain('• 联系人: ');
    expect(preview).toContain('→ 用「王伟伟」 (你指定的)');
    expect(preview).toContain('• 手机: ');
    expect(preview).toContain(`• ${c.dup}: 订单 2、应收 1、库存预留 1、复核「保留」记录 1`);
    expect(preview).toContain(`合并后 ${c.keep}: 订单 3 张 共 1200.00 元, 未收应收 1 笔 300.00 元, 库存预留 1 笔`);
    expect(preview).toContain(`回复「确认 ${c.keep}」`);
    expect(await h.core.models.CustomerMerge.count()).toBe(before);
    const filed = await say('zhangsan', `确认 ${c.keep}`);
    expect(filed).toMatch(new RegExp(`已提交合并申请 #\\d+ \\(${c.dup} 并入 ${c.keep}\\), 已通知审批人: .*周审批`));
    const id = /#(\d+)/.exec(filed)![1]!;
    const card = await inbox('zhou');
    expect(card).toContain('字段差异');
    expect(card).toContain(`可回复「批准合并 ${id}」`);
  });

  it('only an approver other than the requester may approve', async () => {
    const c = await mergeCandidates(h);
    const id = await fileMerge(c);
    expect(await say('zhangsan', `批准合并 ${id}`)).toContain('没有「审批删除」权限');
    // An admin's own request cannot be approved by that admin.
    const own = await say('qian', `合并客户 ${c.other} ${c.keep}`);
    expect(own).toContain(`已在待审批的合并申请 #${id} 中`);
  });
}

/** 批准合并 moves everything; the old code is an alias every door follows. */
function approveAndFollowTheAlias(h: Harness): void {
  it('批准合并 moves everything in one go; the old code becomes an alias that every door follows', async () => {
    const candidates = await mergeCandidates(h);
    const c = { ...candidates, id: await fileMerge(candidates) };
    const { Customer, SalesOrder, Receivable, Reservation, CustomerAlias, AuditEvent, BotOutbox } = h.core.models;
    const lastEvent = ((await AuditEvent.max('id')) as number | null) ?? 0;
    const webhooks = await BotOutbox.count({ where: { door: 'webhook' } });
    const done = await say('zhou', `批准合并 ${c.id}`);
    expect(done).toContain(
      `合并单 #${c.id} 已执行: ${c.dup} 已并入 ${c.keep} 杭州瑞丰五金有限公司; 转移了 订单 2、应收 1、库存预留 1、复核「保留」记录 1`,
    );
    expect(await inbox('zhangsan')).toContain(`你申请的合并单 #${c.id} 已执行`);
    const keep = (await Customer.findOne({ where: { code: c.keep } }))!;
    const dup = (await Customer.findOne({ where: { code: c.dup } }))!;
    expect(keep.contact).toBe('王伟伟');
    expect(dup).toMatchObject({ status: 'deleted', mergedInto: keep.id });
    expect(await SalesOrder.count({ where: { customerId: keep.id } })).toBe(3);
    expect(await Receivable.count({ where: { customerId: dup.id } })).toBe(0);
    expect(await Reservation.count({ where: { customerId: keep.id } })).toBe(1);
    expect((await CustomerAlias.findOne({ where: { code: c.dup } }))?.customerId).toBe(keep.id);
    const events = await AuditEvent.findAll({ where: { action: 'customer.merged', id: { [Op.gt]: lastEvent } } });
    expect(events.map((e) => e.customerCode).sort()).toEqual([c.keep, c.dup].sort());
    expect(await BotOutbox.count({ where: { door: 'webhook' } })).toBe(webhooks + 2);

    expect(await say('zhangsan', `客户 ${c.dup}`)).toMatch(
      new RegExp(`^${c.dup} 已并入 ${c.keep}。\\n${c.keep} 杭州瑞丰五金有限公司`),
    );
    expect(await say('zhangsan', `停用客户 ${c.dup} 客户要求`)).toContain(
      `${c.dup} 已并入 ${c.keep}, 不能再修改 ${c.dup}; 请对 ${c.keep} 操作`,
    );
    expect(await say('zhangsan', `修改客户 ${c.dup} 备注=x`)).toContain(`${c.dup} 已并入 ${c.keep}`);
    const search = await searchCustomers(h.core, m.admin, { q: c.dup });
    expect(search.items.map((i) => i.code)).toEqual([c.keep]);
    expect(await checkTransactable(h.core, c.dup)).toEqual({ ok: true, mergedInto: c.keep });
    const pushed = await pushOrder(h, `ERP-MERGE-${c.id}`, c.dup);
    expect(JSON.stringify(pushed)).not.toContain('CUSTOMER');
    expect((await SalesOrder.findOne({ where: { number: `ERP-MERGE-${c.id}` } }))?.customerId).toBe(keep.id);
  });
}

/** Bad input is refused; 撤销合并 restores, unless a moved order was edited since. */
function refusalsAndUndo(h: Harness): void {
  it('bad input gets a specific message and writes nothing', async () => {
    const c = await approvedMerge(h);
    const before = await h.core.models.CustomerMerge.count();
    expect(await say('zhangsan', '合并客户 C29990001 ' + c.keep)).toContain('找不到编码为「C29990001」的客户');
    expect(await say('zhangsan', `合并客户 ${c.keep} ${c.keep}`)).toContain(`不能把客户 ${c.keep} 合并到它自己`);
    expect(await say('zhangsan', `合并客户 ${c.keep} ${c.dup}`)).toContain(`${c.dup} 已并入 ${c.keep}`);
    expect(await say('zhangsan', `合并客户 ${c.keep} ${c.other}`)).toContain(
      `客户 ${c.other} 不归 张三 负责; 销售只能合并自己负责的客户`,
    );
    expect(await say('zhangsan', `合并客户 ${c.keep} ${c.other} 编码=C1`)).toContain(
      '合并时不能指定「客户编码」: 编码保持保留客户的编码',
    );
    const gone = await newCustomer(h, m.admin, { ownerId: m.zhangId });
    await h.core.models.Customer.update({ status: 'deleted' }, { where: { code: gone.code } });
    expect(await say('zhangsan', `合并客户 ${c.keep} ${gone.code}`)).toContain(
      `客户 ${gone.code} 已删除 (在回收站), 不能并入`,
    );
    expect(await h.core.models.CustomerMerge.count()).toBe(before);
  });

  it('撤销合并 puts every row back and restores the absorbed customer with its own code', async () => {
    const c = await approvedMerge(h);
    await pushOrder(h, `ERP-UNDO-${c.id}`, c.dup);
    const { Customer, SalesOrder, CustomerAlias } = h.core.models;
    // The pushed order was made for the survivor after the merge: it stays there.
    expect(await say('zhangsan', `撤销合并 ${c.id}`)).toContain('没有「恢复客户」权限');
    expect(await say('zhou', `撤销合并 ${c.id}`)).toContain(`将撤销合并单 #${c.id}: ${c.dup} 恢复为独立客户`);
    expect(await say('zhou', `确认 ${c.id}`)).toContain(`已撤销合并单 #${c.id}: ${c.dup} 已恢复为独立客户`);
    const keep = (await Customer.findOne({ where: { code: c.keep } }))!;
    const dup = (await Customer.findOne({ where: { code: c.dup } }))!;
    expect(dup).toMatchObject({ status: 'active', mergedInto: null });
    expect(keep.contact).toBe('王伟');
    expect(await SalesOrder.count({ where: { customerId: dup.id } })).toBe(2);
    expect(await SalesOrder.count({ where: { customerId: keep.id } })).toBe(2);
    expect(await CustomerAlias.count({ where: { code: c.dup } })).toBe(0);
    expect(await say('zhangsan', `客户 ${c.dup}`)).toMatch(new RegExp(`^${c.dup} 杭州瑞丰五金`));
  });

  it('an undo that is no longer safe (a moved order edited since) is refused with the reason; nothing changes', async () => {
    const c = await mergeCandidates(h);
    await say('zhangsan', `合并客户 ${c.keep} ${c.dup}`);
    const id = /#(\d+)/.exec(await say('zhangsan', `确认 ${c.keep}`))![1]!;
    expect(await say('zhou', `批准合并 ${id}`)).toContain('已执行');
    await new Promise((r) => setTimeout(r, 1100)); // MariaDB keeps whole seconds
    await moveOrder(h.core, m.admin, c.order, 'ship');
    await say('zhou', `撤销合并 ${id}`);
    const refused = await say('zhou', `确认 ${id}`);
    expect(refused).toContain(`合并单 #${id} 不能撤销, 没有做任何改动:`);
    expect(refused).toContain(`订单 ${c.order} 在合并后被修改过`);
    const dup = (await h.core.models.Customer.findOne({ where: { code: c.dup } }))!;
    expect(dup.status).toBe('deleted');
    expect(await say('zhou', `批准合并 ${id}`)).toContain(`合并单 #${id} 已合并`);
  });
}

import { expect, it } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { localTime } from '../../core/deletion/approvals.js';
import { readHandling } from '../../core/ledger/handling.js';
import { flushChecks } from '../../core/ledger/handling.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { as, busyCustomer, clearByChat, d, pushErpOrder, say, setupChatDoors, ticker } from './chat-setup.js';

eachDialect("chat doors for a delete's blockers, and the handling record on the approval card", (h) => {
  // Each test gets its own busy customer (an open order, an open receivable, a reservation, an ERP order).
  setupChatDoors(h);
  blockersAndRefusals(h);
  fromAFile(h);
  clearingByChat(h);
  theApprovalCard(h);
});

/** A blocker that came in an imported file changes here by the next import, not by a sync. */
function fromAFile(h: Harness): void {
  it('a blocker from an imported file says to handle it in the ERP and import the new export', async () => {
    const w = await busyCustomer(h);
    const number = `FILE-${w.code}`;
    await pushErpOrder(h, w.code, number, 'open', 'file');
    const how = '请在 ERP 中处理, 再把新的导出文件导入 (命令行 steward ledger import, 或后台「导入单据」)';
    expect(await say('zhangsan', `删除客户 ${w.code} 重复录入`)).toContain(
      `来自导入文件的单据${how}: ${number} (file)`,
    );
    expect(await say('zhangsan', `取消订单 ${number}`)).toBe(`订单 ${number} 来自 ERP (file), ${how}。`);
  });
}

/** 删除客户 lists the blockers; wrong documents, people and amounts are refused. */
function blockersAndRefusals(h: Harness): void {
  it('删除客户 lists every blocker with how to clear it: local ones by command, ERP ones in the ERP', async () => {
    const w = await busyCustomer(h);
    const reply = await say('zhangsan', `删除客户 ${w.code} 重复录入`);
    expect(reply).toContain('还有业务未了结, 不能删除');
    expect(reply).toContain('未完成订单 2 张');
    expect(reply).toContain(`取消订单 ${w.order}`);
    expect(reply).toContain(`登记收款 ${w.billed} 300.00`);
    expect(reply).toContain(`释放预留 ${w.reservation}`);
    expect(reply).toContain(`来自 ERP 的单据请在 ERP 中处理, 结果会自动同步过来: ${w.erpOrder} (api)`);
    await flushChecks(h.core); // the pre-check's row is written behind its answer
    const check = await h.core.models.DeletionCheck.findOne({
      where: { customerCode: w.code, stage: 'precheck' },
      order: [['id', 'DESC']],
    });
    expect(check).toMatchObject({ operatorName: '张三', door: 'cli' });
    expect(JSON.parse(check!.blockers).map((b: { kind: string }) => b.kind)).toEqual([
      'openOrders',
      'unpaidReceivables',
      'activeReservations',
    ]);
  });

  it("refuses an ERP document, another salesperson's customer, bad amounts and overpayment, writing nothing", async () => {
    const w = await busyCustomer(h);
    expect(await say('zhangsan', `取消订单 ${w.erpOrder}`)).toBe(
      `订单 ${w.erpOrder} 来自 ERP (api), 请在 ERP 中处理, 处理结果会自动同步过来。`,
    );
    expect(await say('lisi', `取消订单 ${w.order}`)).toContain(`不归 李四 负责; 销售只能处理自己负责的客户`);
    expect(await say('zhangsan', `登记收款 ${w.billed} 100`)).toContain('没有「登记收款」权限');
    expect(await say('qian', `登记收款 ${w.billed} 12.345`)).toContain('收款金额格式不对: 应为金额, 最多两位小数');
    expect(await say('qian', `登记收款 ${w.billed} -5`)).toContain('收款金额格式不对');
    expect(await say('qian', `登记收款 ${w.billed} 300.01`)).toBe(
      `收款 ¥300.01 超过应收款 ${w.billed} 的未收金额 ¥300.00。`,
    );
    expect(await say('zhangsan', '取消订单 SO-NOPE')).toBe('找不到订单 SO-NOPE。请核对单号。');
    expect(
      await h.core.models.LedgerEvent.count({
        where: { customerId: w.id, source: 'local', change: ['cancelled', 'paid', 'released'] },
      }),
    ).toBe(0);
  });
}

/** Each clearing asks to confirm, then acts, audited and recorded as a ledger event. */
function clearingByChat(h: Harness): void {
  const tick = ticker(h);

  it('取消订单 / 登记收款 / 释放预留 ask to confirm, then act: audited with the chat door, recorded as ledger events', async () => {
    const w = await busyCustomer(h);
    tick();
    const proposal = await consoleSay(d.bot.deps, as('zhangsan'), { text: `取消订单 ${w.order}` });
    expect(proposal[0]!.text).toContain(`将取消订单 ${w.order} (客户 ${w.code}`);
    expect(proposal[0]!.buttons!.map((b) => b.text)).toEqual(['确认取消订单', '取消']);
    expect(await say('zhangsan', `确认 ${w.order}`)).toContain(`已取消订单 ${w.order}。`);
    tick();
    expect(await say('qian', `登记收款 ${w.billed} 100`)).toContain(`将给应收款 ${w.billed}`);
    expect(await say('qian', `确认 ${w.billed}`)).toContain(`已登记应收款 ${w.billed} 收款 ¥100.00, 剩余未收 ¥200.00`);
    tick();
    await say('qian', `登记收款 ${w.billed} 200`);
    expect(await say('qian', `确认 ${w.billed}`)).toContain('已结清');
    tick();
    await say('zhangsan', `释放预留 ${w.reservation}`);
    expect(await say('zhangsan', `确认 ${w.reservation}`)).toContain(`已释放库存预留 ${w.reservation} (12 件)`);
    const audit = await h.core.models.AuditEvent.findAll({
      where: { customerCode: w.code, action: ['order.cancel', 'receivable.payment', 'reservation.release'] },
      order: [['id', 'ASC']],
    });
    expect(audit.map((a) => [a.action, a.operatorName, a.door])).toEqual([
      ['order.cancel', '张三', 'cli'],
      ['receivable.payment', '钱财务', 'cli'],
      ['receivable.payment', '钱财务', 'cli'],
      ['reservation.release', '张三', 'cli'],
    ]);
    const events = await h.core.models.LedgerEvent.findAll({
      where: { customerId: w.id, source: 'local', change: ['cancelled', 'paid', 'released'] },
      order: [['id', 'ASC']],
    });
    expect(events.map((e) => [e.docNumber, e.change, e.actorName, e.door])).toEqual([
      [w.order, 'cancelled', '张三', 'cli'],
      [w.billed, 'paid', '钱财务', 'cli'],
      [w.billed, 'paid', '钱财务', 'cli'],
      [w.reservation, 'released', '张三', 'cli'],
    ]);
  });
}

/** The ERP closes its order; the request carries the note; the approver sees the whole record. */
function theApprovalCard(h: Harness): void {
  const tick = ticker(h);

  it('the ERP closes its own order by a push; the request carries the note; the approver sees the whole record', async () => {
    const w = await busyCustomer(h);
    tick();
    expect(await say('zhangsan', `删除客户 ${w.code} 重复录入`)).toContain(w.erpOrder);
    await flushChecks(h.core); // the pre-check's row is written behind its answer
    await clearByChat(h, w);
    tick();
    await pushErpOrder(h, w.code, w.erpOrder, 'cancelled');
    tick();
    expect(await say('zhangsan', `删除客户 ${w.code} 重复录入 备注=订单已在ERP取消`)).toContain(
      '备注: 订单已在ERP取消',
    );
    const submitted = await say('zhangsan', `确认 ${w.code}`);
    const id = Number(/#(\d+)/.exec(submitted)![1]);
    const card = (await consoleInbox(d.bot.deps, as('zhou'))).map((r) => r.text).join('\n');
    expect(card).toContain('关联数据处理记录:');
    expect(card).toMatch(
      new RegExp(
        `删除前检查 \\(张三 · 命令行\\): 未完成订单 2 张 .*¥2,300\\.00; 未收款 1 笔, 未收金额 ¥300\\.00; 库存预留 1 条, 共 12 件`,
      ),
    );
    expect(card).toMatch(new RegExp(`订单 ${w.order} 已取消 · 张三 · 命令行 · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d`));
    expect(card).toContain(`应收款 ${w.billed} 已收款 ¥100.00 · 钱财务 · 命令行`);
    expect(card).toContain(`应收款 ${w.billed} 已收款 ¥200.00, 已结清 · 钱财务 · 命令行`);
    expect(card).toContain(`库存预留 ${w.reservation} 已释放 · 张三 · 命令行`);
    expect(card).toMatch(new RegExp(`订单 ${w.erpOrder} 已取消 · erp-token · ERP 推送 \\(api\\) · \\d{4}-`));
    expect(card).toContain('申请人备注: 订单已在ERP取消');
    const request = await h.core.models.ApprovalRequest.findByPk(id);
    expect(request!.requesterNote).toBe('订单已在ERP取消');
    const stored = readHandling(request!.handling)!;
    expect(stored.changes.map((c) => [c.docNumber, c.change, c.source])).toContainEqual([
      w.erpOrder,
      'cancelled',
      'api',
    ]);
    tick();
    expect(await say('zhou', `同意 ${id}`)).toContain(`已同意审批单 #${id}`);
    const entry = await h.core.models.RecycleEntry.findOne({ where: { approvalId: id } });
    const snapshot = JSON.parse(entry!.snapshot) as { handling: { lines: string[] } };
    expect(snapshot.handling.lines.join('\n')).toContain(
      `订单 ${w.order} 已取消 · 张三 · 命令行 · ${localTime(h.core, new Date(stored.changes[0]!.at)).slice(0, 10)}`,
    );
    expect(
      snapshot.handling.lines.some(
        (l) => l.startsWith('审批时复查 (周审批 · 命令行)') || l.includes('审批时复查 (周审批 · 命令行): 无未了结业务'),
      ),
    ).toBe(true);
  });
}

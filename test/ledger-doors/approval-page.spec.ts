import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { approvalLink } from '../../bot/approval-token.js';
import type { Actor } from '../../core/context.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { precheck } from '../../core/deletion/precheck.js';
import { createOrder, moveOrder } from '../../core/orders.js';
import { cancelOrderByNumber } from '../../core/orders/clear.js';
import { startBotApp, type BotApp } from '../helpers/bot-app.js';
import { eachDialect } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';

eachDialect('the signed approval page shows the 关联数据处理记录', (h) => {
  let app: BotApp;
  let clock = Date.parse('2026-12-02T06:00:00Z');
  const tick = () => h.setNow(new Date((clock += 60_000)));
  afterAll(async () => app?.close());
  beforeAll(async () => {
    tick();
    app = await startBotApp(h, { seed: false });
  });

  it('lists the blocker found at precheck, its cancellation by whom through which door, and the note', async () => {
    const sales: Actor = { operator: await h.operator('张三', ['sales'], { dingtalk: 'zs-ding' }), door: 'dingtalk' };
    const approver = await h.operator('周审批', ['approver'], { dingtalk: 'zhou-ding' });
    const c = await newCustomer(h, sales, { ownerId: sales.operator.id });
    const order = await createOrder(h.core, sales, { customerCode: c.code, total: '1200.00' });
    await moveOrder(h.core, sales, order.number, 'confirm');
    tick();
    expect((await precheck(h.core, sales, c.code)).blockers).toHaveLength(1);
    tick();
    await cancelOrderByNumber(h.core, sales, order.number);
    tick();
    const request = await requestDeletion(h.core, sales, c.code, '重复录入', { note: '客户改用新编码 <C2>' });
    const link = new URL(approvalLink(h.core, request, approver));
    const res = await app.request(link.pathname + link.search);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<dt>关联数据处理记录</dt>');
    expect(res.text).toContain(`删除前检查 (张三 · 钉钉): 未完成订单 1 张 (${order.number}), 合计 ¥1,200.00`);
    expect(res.text).toContain(`订单 ${order.number} 已取消 · 张三 · 钉钉 · 2026-12-02 14:0`);
    expect(res.text).toContain('提交申请时检查 (张三 · 钉钉): 无未了结业务');
    expect(res.text).toContain('申请人备注: 客户改用新编码 &lt;C2&gt;');
  });
});

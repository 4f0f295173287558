import { beforeAll, expect, it } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { createOrder } from '../../core/orders.js';
import { newCustomer } from '../core/fixtures.js';
import { eachDialect } from '../helpers/db.js';

eachDialect('统计 in chat', (h) => {
  let bot: BotRuntime;
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
  });

  it('marks a deleted customer among the top sellers, as the dashboard does', async () => {
    const admin = await h.actor('统计管理员', ['admin']);
    const approver = await h.actor('统计审批人', ['approver']);
    await h.core.models.OperatorIdentity.create({
      operatorId: admin.operator.id!,
      channel: 'wecom',
      externalId: 'stats-admin',
    } as never);
    const big = await newCustomer(h, admin, { name: '大客户已删有限公司' });
    const small = await newCustomer(h, admin, { name: '小客户在用有限公司' });
    const today = new Date().toISOString().slice(0, 10);
    for (const [c, total] of [
      [big, '90000.00'],
      [small, '100.00'],
    ] as const) {
      const o = await createOrder(h.core, admin, { customerCode: c.code, total, orderDate: today });
      await o.update({ status: 'completed' });
    }
    const req = await requestDeletion(h.core, admin, big.code, '合并重复');
    await approve(h.core, approver, req.id);
    const text = (await consoleSay(bot.deps, { as: 'stats-admin', door: 'wecom', group: false }, { text: '统计' }))
      .map((r) => r.text)
      .join('\n');
    expect(text).toContain(`1. ${big.code} 大客户已删有限公司 (已删除) ¥90,000.00`);
    expect(text).toContain(`2. ${small.code} 小客户在用有限公司 ¥100.00`);
  });
});

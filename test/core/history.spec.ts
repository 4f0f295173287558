import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { reject } from '../../core/deletion/approvals.js';
import { cooperationHistory } from '../../core/deletion/history.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { createOrder, moveOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { newCustomer } from './fixtures.js';

let bot: BotRuntime;
let admin: Actor;
let server: Awaited<ReturnType<typeof startAdmin>>;
let boss: AdminClient;
const c: Record<string, { id: number; code: string }> = {};
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');

/** Ten customers with sales (n0…n9, n9 the biggest), one without (none), the bot and the back office. */
function setupSales(h: Harness): void {
  /** Completed orders (sales, and nothing open to block a deletion), one per amount. */
  async function sold(code: string, ...totals: string[]) {
    for (const total of totals) {
      const { number } = await createOrder(h.core, admin, { customerCode: code, total });
      await moveOrder(h.core, admin, number, 'confirm');
      await moveOrder(h.core, admin, number, 'complete');
    }
  }

  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    server = await startAdmin(h.core);
    boss = (await clientAs(h.core, server.url, 'history-boss', ['admin'])).client;
    admin = await h.actor('历史管理员', ['admin']);
    const sales = await h.operator('历史销售', ['sales'], { wecom: 'hist-sales' });
    await h.operator('历史审批', ['approver'], { wecom: 'hist-approver' });
    // Ten customers with sales: the biggest two are the top 20 %.
    for (let i = 0; i < 10; i++) {
      const made = await newCustomer(h, admin, { ownerId: sales.id });
      c[`n${i}`] = made;
      await sold(made.code, `${(i + 1) * 100}.00`);
    }
    c.none = await newCustomer(h, admin, { ownerId: sales.id });
    await sold(c.n9!.code, '50.00', '25.50');
    // Completed and cancelled: only the completed one counts.
    const done = await createOrder(h.core, admin, { customerCode: c.n9!.code, total: '10.00' });
    await moveOrder(h.core, admin, done.number, 'confirm');
    await moveOrder(h.core, admin, done.number, 'complete');
    const dropped = await createOrder(h.core, admin, { customerCode: c.n9!.code, total: '99999.00' });
    await moveOrder(h.core, admin, dropped.number, 'cancel');
  });
  afterAll(async () => server?.close());
  // A pending deletion request blocks the next one and shows on the delete prompt: each test's own is
  // rejected after it, so every test starts with none.
  afterEach(async () => {
    const approver = await h.actor('历史审批', ['approver']);
    for (const r of await h.core.models.ApprovalRequest.findAll({ where: { status: 'pending' } }))
      await reject(h.core, approver, r.id, '测试结束');
  });
}

eachDialect('cooperation history on the delete prompt and the approval card', (h) => {
  setupSales(h);

  it('computes lifetime orders, amount, last date and rank in one query', async () => {
    const top = await cooperationHistory(h.core, c.n9!.id);
    expect(top).toMatchObject({ orders: 4, amountCents: 108550, rank: 1, ranked: 10, top: true });
    expect(top.lastOrderDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await cooperationHistory(h.core, c.n8!.id)).toMatchObject({
      orders: 1,
      amountCents: 90000,
      rank: 2,
      top: true,
    });
    expect(await cooperationHistory(h.core, c.n7!.id)).toMatchObject({ rank: 3, top: false });
    expect(await cooperationHistory(h.core, c.none!.id)).toEqual({
      orders: 0,
      amountCents: 0,
      lastOrderDate: null,
      rank: null,
      ranked: 10,
      top: false,
    });
  });

  it('the chat prompt of a top customer warns and suggests 停用 first; an ordinary one shows the history', async () => {
    const top = await say('hist-sales', `删除客户 ${c.n9!.code} 重复录入`);
    expect(top.startsWith(`⚠ 重要客户: 销售额排在前 20%。建议先「停用客户 ${c.n9!.code}」`)).toBe(true);
    expect(top).toMatch(/合作历史: 订单 4 张, 共 ¥1,085\.50, 最近下单 \d{4}-\d{2}-\d{2}; 销售额排名 1 \/ 10。/);
    expect(top).toContain(`回复「确认 ${c.n9!.code}」`);
    const plain = await say('hist-sales', `删除客户 ${c.n2!.code} 重复录入`);
    expect(plain).toMatch(/(^|\n)合作历史: 订单 1 张, 共 ¥300\.00, 最近下单 .+; 销售额排名 8 \/ 10。\n将为客户/);
    expect(await say('hist-sales', `删除客户 ${c.none!.code} 重复录入`)).toMatch(
      /(^|\n)合作历史: 没有成交订单。\n将为客户/,
    );
  });

  it('the approval card shows it too', async () => {
    expect(await say('hist-sales', `删除客户 ${c.n9!.code} 重复录入`)).toContain('确认');
    expect(await say('hist-sales', `确认 ${c.n9!.code}`)).toContain('已提交删除申请');
    const card = (await consoleInbox(bot.deps, { as: 'hist-approver', door: 'wecom', group: false }))
      .map((r) => r.text)
      .join('\n');
    expect(card).toContain('⚠ 重要客户: 销售额排在前 20%');
    expect(card).toContain('销售额排名 1 / 10');
  });

  it('the back office shows it before the deletion form and on the request', async () => {
    const answer = (await boss.action('customers', c.n8!.id, 'requestDeletion')).json<{
      precheck: { historyText: string; history: { top: boolean } };
    }>();
    expect(answer.precheck.history.top).toBe(true);
    expect(answer.precheck.historyText).toContain('⚠ 重要客户');
    // Its own request for the top customer.
    const request = await requestDeletion(h.core, admin, c.n9!.code, '重复录入');
    const shown = (await boss.action('approval_requests', request.id, 'show')).json<{
      record: { params: { history: string } };
    }>();
    expect(shown.record.params.history).toContain('销售额排名 1 / 10');
  });
});

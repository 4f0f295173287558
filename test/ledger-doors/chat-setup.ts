import { beforeAll, beforeEach, expect } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { applyLedger } from '../../core/ledger/apply.js';
import { createOrder, createReceivable, moveOrder, reserveStock } from '../../core/orders.js';
import type { Harness } from '../helpers/db.js';
import { newCustomer, product } from '../core/fixtures.js';

/** The bot and the admin the tests share (set in beforeAll). */
export const d = { bot: undefined as unknown as BotRuntime, admin: undefined as unknown as Actor, zhangId: 0 };
const erp: Actor = {
  door: 'api',
  operator: { id: null, displayName: 'erp-token', active: true, roleList: () => ['admin'] },
};
export const as = (who: string) => ({ as: who, door: 'wecom' as const, group: false });
export const say = async (who: string, text: string) =>
  (await consoleSay(d.bot.deps, as(who), { text })).map((r) => r.text).join('\n');
const START = Date.parse('2026-12-01T02:00:00Z');
let clock = START;
let erpOrders = 0;
let sku = '';
/** Each step a minute after the last, as people would take them. */
export const ticker = (h: Harness) => () => h.setNow(new Date((clock += 60_000)));

/** The ERP pushes its order, open or cancelled. */
export async function pushErpOrder(
  h: Harness,
  customerCode: string,
  number: string,
  status: 'open' | 'cancelled',
  source: 'api' | 'file' = 'api',
): Promise<void> {
  await applyLedger(
    h.core,
    erp,
    [{ type: 'order', number, customerCode, date: '2026-11-20', total: '1500.00', status }],
    { source },
  );
}

/** Four chat users (张三 and 李四 sales, 钱财务 finance, 周审批 approver) and a product; each test starts at START + 1 minute. */
export function setupChatDoors(h: Harness): void {
  const atStart = () => {
    clock = START;
    ticker(h)();
  };
  beforeAll(async () => {
    atStart();
    d.bot = createBot(h.core, { dispatch: false });
    d.admin = await h.actor('管理员', ['admin']);
    d.zhangId = (await h.operator('张三', ['sales'], { wecom: 'zhangsan' })).id;
    await h.operator('李四', ['sales'], { wecom: 'lisi' });
    await h.operator('钱财务', ['finance'], { wecom: 'qian' });
    await h.operator('周审批', ['approver'], { wecom: 'zhou' });
    sku = await product(h.core, 'P-DOOR');
  });
  beforeEach(atStart);
}

export interface Busy {
  code: string;
  id: number;
  /** The confirmed local order (800.00). */
  order: string;
  /** The completed order billed as the open receivable (300.00). */
  billed: string;
  /** `#id` of a reservation of 12 units. */
  reservation: string;
  /** The ERP's open order (1500.00). */
  erpOrder: string;
}

/** A test's own customer of 张三's with an open order, an open receivable, a reservation and an ERP order. */
export async function busyCustomer(h: Harness): Promise<Busy> {
  const { admin } = d;
  const c = await newCustomer(h, admin, { ownerId: d.zhangId });
  const order = await createOrder(h.core, admin, { customerCode: c.code, total: '800.00' });
  await moveOrder(h.core, admin, order.number, 'confirm');
  const billed = await createOrder(h.core, admin, { customerCode: c.code, total: '300.00' });
  await moveOrder(h.core, admin, billed.number, 'confirm');
  await moveOrder(h.core, admin, billed.number, 'complete');
  await createReceivable(h.core, admin, { orderNumber: billed.number, amount: '300.00', dueDate: '2026-12-31' });
  const reservation = `#${(await reserveStock(h.core, admin, { customerCode: c.code, sku, quantity: 12 })).id}`;
  const erpOrder = `ERP-SO-${++erpOrders}`;
  await pushErpOrder(h, c.code, erpOrder, 'open');
  return { code: c.code, id: c.id, order: order.number, billed: billed.number, reservation, erpOrder };
}

/** By chat, a minute apart: 张三 cancels the order, 钱财务 is paid 100 then 200, 张三 releases the reservation. */
export async function clearByChat(h: Harness, w: Busy): Promise<void> {
  const tick = ticker(h);
  const steps: [string, string, string, string][] = [
    ['zhangsan', `取消订单 ${w.order}`, w.order, '已取消订单'],
    ['qian', `登记收款 ${w.billed} 100`, w.billed, '剩余未收'],
    ['qian', `登记收款 ${w.billed} 200`, w.billed, '已结清'],
    ['zhangsan', `释放预留 ${w.reservation}`, w.reservation, '已释放库存预留'],
  ];
  for (const [who, command, ref, done] of steps) {
    tick();
    await say(who, command);
    expect(await say(who, `确认 ${ref}`)).toContain(done);
  }
}

import type { Actor } from '../../core/context.js';
import { centsToDecimal } from '../../core/money.js';
import type { Harness } from '../helpers/db.js';
import type { Reply } from '../../bot/types.js';
import { newCustomer } from '../core/fixtures.js';

const DAY = 86400_000;
let orderSeq = 0;

/** YYYY-MM-DD `days` before the harness clock (UTC dates; the tests run far from midnight in Shanghai). */
export function daysAgo(h: Harness, days: number): string {
  return new Date(h.core.now().getTime() - days * DAY).toISOString().slice(0, 10);
}

export interface Story {
  /** Days since the customer was created. */
  createdDaysAgo: number;
  /** One order per entry: days ago, status, yuan. */
  orders?: {
    daysAgo: number;
    status?: 'draft' | 'confirmed' | 'completed' | 'cancelled';
    yuan?: number;
    unpaidYuan?: number;
  }[];
  ownerId?: number | null;
  /** What customers.last_order_at says, when it should disagree with the orders. */
  lastOrderAtDaysAgo?: number | null;
}

/** A customer with a made-up history, written straight to the tables (as an import or the 进销存 would). */
export async function customerWithStory(
  h: Harness,
  admin: Actor,
  story: Story,
): Promise<{ id: number; code: string; name: string }> {
  const c = await newCustomer(h, admin, { ownerId: story.ownerId ?? null });
  const { SalesOrder, Receivable, Customer, sequelize } = h.core.models;
  await sequelize.query('UPDATE customers SET created_at = ? WHERE id = ?', {
    replacements: [new Date(h.core.now().getTime() - story.createdDaysAgo * DAY), c.id],
  });
  let last: number | null = null;
  for (const o of story.orders ?? []) {
    const yuan = o.yuan ?? 1000;
    const order = await SalesOrder.create({
      number: `TS${process.pid}${String(++orderSeq).padStart(6, '0')}`,
      customerId: c.id,
      status: o.status ?? 'completed',
      orderDate: daysAgo(h, o.daysAgo),
      total: centsToDecimal(yuan * 100),
    });
    if (o.unpaidYuan)
      await Receivable.create({
        customerId: c.id,
        orderId: order.id,
        amount: centsToDecimal(yuan * 100),
        paid: centsToDecimal((yuan - o.unpaidYuan) * 100),
        dueDate: daysAgo(h, o.daysAgo),
        status: 'open',
      });
    last = last === null ? o.daysAgo : Math.min(last, o.daysAgo);
  }
  const lastDays = story.lastOrderAtDaysAgo !== undefined ? story.lastOrderAtDaysAgo : last;
  await Customer.update(
    { lastOrderAt: lastDays === null ? null : new Date(`${daysAgo(h, lastDays)}T00:00:00Z`) },
    { where: { id: c.id } },
  );
  return { id: c.id, code: c.code, name: c.name };
}

/** Every reply text (with its title) in one string, for contains-checks. */
export function allText(replies: Reply[]): string {
  return replies.map((r) => `${r.title ?? ''}\n${r.text}`).join('\n');
}

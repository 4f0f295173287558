import type { Core } from '../context.js';
import { localTime } from '../deletion/approvals.js';
import { formatYuan } from '../money.js';
import type { InactiveCustomer } from './inactive.js';

/** How long ago, in whole days, from a local date (YYYY-MM-DD) to today. */
function daysSince(core: Core, date: string): number {
  const today = localTime(core, core.now()).slice(0, 10);
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 86400_000);
}

/** One customer of the review as people read it: code, name, last order, sales, open receivables. */
export function inactiveLine(core: Core, c: InactiveCustomer): string {
  const last = c.lastOrderAt
    ? `最近下单 ${c.lastOrderAt} (${daysSince(core, c.lastOrderAt)} 天前)`
    : `从未下单 (建档 ${localTime(core, c.createdAt).slice(0, 10)})`;
  const open = c.openReceivablesCents ? ` · 未收 ${formatYuan(c.openReceivablesCents)}` : ' · 无未收款';
  return `${c.code} ${c.name} · ${last} · 累计销售 ${formatYuan(c.lifetimeSalesCents)}${open}`;
}

/** The text commands that act on one customer, for messengers without buttons. */
export function fallbackLine(c: Pick<InactiveCustomer, 'code'>): string {
  return `停用客户 ${c.code} 长期无交易 / 保留客户 ${c.code}`;
}

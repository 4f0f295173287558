import path from 'node:path';
import type { Actor, Core } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { tempDir, writeCsv, writeXlsx } from '../data/fixtures.js';

export { tempDir, writeCsv, writeXlsx };

export const ORDER_HEADERS = ['单据编号', '客户编码', '单据日期', '金额', '状态'];
export const RECEIVABLE_HEADERS = ['单据编号', '客户名称', '应收金额', '已收金额', '到期日'];

/** Customers with the given names; returns their codes in order. */
export async function customers(core: Core, actor: Actor, names: string[]): Promise<string[]> {
  const codes: string[] = [];
  for (const name of names)
    codes.push((await createCustomer(core, actor, { name }, { allowDuplicates: true })).customer.code);
  return codes;
}

/** A fresh file name in a temp folder. */
export function fileIn(dir: string, name: string): string {
  return path.join(dir, `${Math.random().toString(36).slice(2, 8)}-${name}`);
}

/** Orders by number as stored: status, total (as text), source. */
export async function storedOrders(
  core: Core,
): Promise<Record<string, { status: string; total: string; source: string; date: string }>> {
  const rows = await core.models.SalesOrder.findAll({ order: [['number', 'ASC']] });
  return Object.fromEntries(
    rows.map((o) => [
      o.number,
      { status: o.status, total: Number(o.total).toFixed(2), source: o.source, date: String(o.orderDate).slice(0, 10) },
    ]),
  );
}

/** Receivables by number as stored. */
export async function storedReceivables(
  core: Core,
): Promise<Record<string, { amount: string; paid: string; status: string; source: string }>> {
  const rows = await core.models.Receivable.findAll({ order: [['number', 'ASC']] });
  return Object.fromEntries(
    rows.map((r) => [
      r.number ?? String(r.id),
      { amount: Number(r.amount).toFixed(2), paid: Number(r.paid).toFixed(2), status: r.status, source: r.source },
    ]),
  );
}

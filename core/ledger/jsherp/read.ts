import { toCents, type Cents } from '../../money.js';
import { jshQuery, type JshDb } from './connection.js';

/** Live rows of the tenant only, as every query of jshERP's own filters them. */
const LIVE = "IFNULL(delete_flag,'0') != '1'";

/** A jshERP customer (jsh_supplier, type 客户). */
export interface JshCustomer {
  id: number;
  name: string;
  contacts: string | null;
  telephone: string | null;
  phoneNum: string | null;
  address: string | null;
  description: string | null;
  enabled: boolean;
}

/** A live sales order (销售订单) of the tenant. */
export interface JshOrder {
  id: number;
  number: string;
  organId: number;
  date: string;
  totalCents: Cents;
  status: string;
}

/** Customers of the tenant, all or only those created after `afterId`, in id order. */
export async function readCustomers(
  db: JshDb,
  opts: { afterId?: number; ids?: number[] } = {},
): Promise<JshCustomer[]> {
  if (opts.ids && opts.ids.length > 500) {
    const out: JshCustomer[] = [];
    for (let i = 0; i < opts.ids.length; i += 500)
      out.push(...(await readCustomers(db, { ids: opts.ids.slice(i, i + 500) })));
    return out;
  }
  const extra = opts.ids ? ' AND id IN (?)' : opts.afterId ? ' AND id > ?' : '';
  if (opts.ids && !opts.ids.length) return [];
  const params = [db.tenantId, ...(opts.ids ? [opts.ids] : opts.afterId ? [opts.afterId] : [])];
  const rows = await jshQuery<Record<string, unknown>>(
    db,
    `SELECT id, supplier, contacts, telephone, phone_num, address, description, CAST(enabled AS UNSIGNED) AS enabled
       FROM jsh_supplier${opts.afterId || opts.ids ? ' FORCE INDEX (PRIMARY)' : ''} WHERE tenant_id = ? AND type = '客户' AND ${LIVE}${extra} ORDER BY id`,
    params,
  );
  const s = (v: unknown) => (v === null || v === undefined || String(v).trim() === '' ? null : String(v).trim());
  return rows.map((r) => ({
    id: Number(r.id),
    name: String(r.supplier ?? '').trim(),
    contacts: s(r.contacts),
    telephone: s(r.telephone),
    phoneNum: s(r.phone_num),
    address: s(r.address),
    description: s(r.description),
    enabled: Number(r.enabled) === 1,
  }));
}

/** The highest ids now, so the next incremental sync reads only rows added after this one. */
export async function readCursors(db: JshDb): Promise<{ supplier: number; depot: number; account: number }> {
  const [r] = await jshQuery<{ s: number | null; d: number | null; a: number | null }>(
    db,
    'SELECT (SELECT MAX(id) FROM jsh_supplier WHERE tenant_id = ?) AS s, (SELECT MAX(id) FROM jsh_depot_head WHERE tenant_id = ?) AS d, (SELECT MAX(id) FROM jsh_account_head WHERE tenant_id = ?) AS a',
    [db.tenantId, db.tenantId, db.tenantId],
  );
  return { supplier: Number(r?.s ?? 0), depot: Number(r?.d ?? 0), account: Number(r?.a ?? 0) };
}

function toOrder(r: Record<string, unknown>): JshOrder {
  return {
    id: Number(r.id),
    number: String(r.number ?? `JSH-SO-${r.id}`),
    organId: Number(r.organ_id),
    date: String(r.d),
    totalCents: toCents(r.total as string),
    status: String(r.status ?? '0'),
  };
}

const ORDER_COLUMNS =
  "id, number, organ_id, DATE_FORMAT(oper_time, '%Y-%m-%d') AS d, ROUND(IFNULL(discount_last_money, IFNULL(total_price, 0)), 2) AS total, status";

/** Every open sales order of the tenant: live 销售订单 whose status is not '2' (完成销售). */
export async function readOpenOrders(db: JshDb): Promise<JshOrder[]> {
  const rows = await jshQuery<Record<string, unknown>>(
    db,
    `SELECT ${ORDER_COLUMNS} FROM jsh_depot_head WHERE tenant_id = ? AND sub_type = '销售订单' AND ${LIVE} AND IFNULL(status,'0') != '2' AND organ_id IS NOT NULL`,
    [db.tenantId],
  );
  return rows.map(toOrder);
}

/** The sales orders (any state, deleted included) with these numbers, so the caller sees each one's fate. */
export async function readOrdersByNumber(db: JshDb, numbers: string[]): Promise<(JshOrder & { live: boolean })[]> {
  if (!numbers.length) return [];
  const rows = await jshQuery<Record<string, unknown>>(
    db,
    `SELECT ${ORDER_COLUMNS}, ${LIVE} AS live FROM jsh_depot_head WHERE tenant_id = ? AND sub_type = '销售订单' AND number IN (?)`,
    [db.tenantId, numbers],
  );
  return rows.map((r) => ({ ...toOrder(r), live: Number(r.live) === 1 }));
}

/** Live 销售订单 added after `afterId`. */
export async function readNewOrders(db: JshDb, afterId: number): Promise<JshOrder[]> {
  const rows = await jshQuery<Record<string, unknown>>(
    db,
    `SELECT ${ORDER_COLUMNS} FROM jsh_depot_head FORCE INDEX (PRIMARY) WHERE tenant_id = ? AND id > ? AND sub_type = '销售订单' AND ${LIVE} AND IFNULL(status,'0') != '2' AND organ_id IS NOT NULL`,
    [db.tenantId, afterId],
  );
  return rows.map(toOrder);
}

/**
 * The customers that documents or receipts added after the cursors belong to. The id range goes
 * by the primary key: on jshERP's single-column tenant_id index it would read the whole tenant.
 */
export async function readTouchedOrgans(db: JshDb, depotAfter: number, accountAfter: number): Promise<number[]> {
  const rows = await jshQuery<{ o: number }>(
    db,
    `SELECT DISTINCT organ_id AS o FROM jsh_depot_head FORCE INDEX (PRIMARY) WHERE tenant_id = ? AND id > ? AND organ_id IS NOT NULL
     UNION SELECT DISTINCT organ_id FROM jsh_account_head FORCE INDEX (PRIMARY) WHERE tenant_id = ? AND id > ? AND organ_id IS NOT NULL`,
    [db.tenantId, depotAfter, db.tenantId, accountAfter],
  );
  return rows.map((r) => Number(r.o));
}

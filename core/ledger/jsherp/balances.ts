import { toCents, type Cents } from '../../money.js';
import { jshQuery, type JshDb } from './connection.js';

/**
 * IN lists of at most 500: from 1,000 values MariaDB turns an IN list into a join with a derived
 * table (in_predicate_conversion_threshold) and may scan the whole table instead of the index.
 */
const IN_MAX = 500;
const LIVE = (alias = '') => `IFNULL(${alias}delete_flag,'0') != '1'`;
const SALE = "(type = '出库' AND sub_type = '销售')";
const RETURN = "(type = '入库' AND sub_type = '销售退货')";

/** jshERP's amount of a set of 销售 or 销售退货 heads: Σ after-discount + Σ fees − Σ 订金 − |Σ paid at once|. */
function owed(kind: string): string {
  const sum = (col: string) => `IFNULL(SUM(CASE WHEN ${kind} THEN ${col} END), 0)`;
  return `ROUND(${sum('discount_last_money')} + ${sum('other_money')} - ${sum('deposit')} - ABS(${sum('change_amount')}), 2)`;
}

/** What a sync needs per jshERP customer. */
export interface Figures {
  /** Receivable per live customer of the tenant (negative: 预收). */
  receivables: Map<number, Cents>;
  /** Newest 销售 or 销售订单 oper_time per customer ('YYYY-MM-DD HH:MM:SS', jshERP local time). */
  lastOrderTimes: Map<number, string>;
}

/** ` AND <column> IN (?)` when limited to some customers. */
function only(column: string, ids: number[] | null): { sql: string; params: number[][] } {
  return ids ? { sql: ` AND ${column} IN (?)`, params: [ids] } : { sql: '', params: [] };
}

/**
 * Each customer's receivable exactly as jshERP's 对账单 (getStatementAccount*, SupplierService)
 * computes it, over live rows of the tenant:
 *   begin_need_get
 *   + [Σ discount_last_money + Σ other_money − Σ deposit − |Σ change_amount|] over 销售 (出库)
 *   − the same over 销售退货 (入库)
 *   − Σ each_amount of the items of 收款 heads.
 * Like theirs, the absolute value is taken of the sum of change_amount per customer and kind.
 * The same pass over jsh_depot_head gives the last order times. `ids` limits the work to some
 * customers (incremental syncs); null means all of the tenant.
 */
export async function readFigures(db: JshDb, ids: number[] | null): Promise<Figures> {
  const out: Figures = { receivables: new Map(), lastOrderTimes: new Map() };
  if (ids === null) return figuresOf(db, null, out);
  for (let i = 0; i < ids.length; i += IN_MAX) await figuresOf(db, ids.slice(i, i + IN_MAX), out);
  return out;
}

async function figuresOf(db: JshDb, ids: number[] | null, out: Figures): Promise<Figures> {
  const t = db.tenantId;
  const rec = out.receivables;
  const s = only('id', ids);
  for (const r of await jshQuery<{ id: number; v: string | null }>(
    db,
    `SELECT id, ROUND(IFNULL(begin_need_get, 0), 2) AS v FROM jsh_supplier${ids ? ' FORCE INDEX (PRIMARY)' : ''} WHERE tenant_id = ? AND type = '客户' AND ${LIVE()}${s.sql}`,
    [t, ...s.params],
  )) {
    rec.set(Number(r.id), toCents(r.v));
  }
  const d = only('organ_id', ids);
  for (const r of await jshQuery<{ o: number; sale: string; ret: string; at: string | null }>(
    db,
    `SELECT organ_id AS o, ${owed(SALE)} AS sale, ${owed(RETURN)} AS ret,
            DATE_FORMAT(MAX(CASE WHEN sub_type IN ('销售', '销售订单') THEN oper_time END), '%Y-%m-%d %H:%i:%s') AS at
       FROM jsh_depot_head
      WHERE tenant_id = ? AND ${LIVE()} AND sub_type IN ('销售', '销售退货', '销售订单') AND organ_id IS NOT NULL${d.sql}
      GROUP BY organ_id`,
    [t, ...d.params],
  )) {
    const id = Number(r.o);
    if (r.at) out.lastOrderTimes.set(id, r.at);
    if (rec.has(id)) rec.set(id, rec.get(id)! + toCents(r.sale) - toCents(r.ret));
  }
  const a = only('h.organ_id', ids);
  for (const r of await jshQuery<{ o: number; v: string | null }>(
    db,
    `SELECT h.organ_id AS o, ROUND(IFNULL(SUM(i.each_amount), 0), 2) AS v
       FROM jsh_account_head h JOIN jsh_account_item i ON i.header_id = h.id
      WHERE h.tenant_id = ? AND h.type = '收款' AND ${LIVE('h.')} AND ${LIVE('i.')}${a.sql}
      GROUP BY h.organ_id`,
    [t, ...a.params],
  )) {
    if (rec.has(Number(r.o))) rec.set(Number(r.o), rec.get(Number(r.o))! - toCents(r.v));
  }
  return out;
}

/** The receivables alone (for --check). */
export async function readReceivables(db: JshDb, ids: number[] | null): Promise<Map<number, Cents>> {
  return (await readFigures(db, ids)).receivables;
}

import type { Actor, Core } from '../context.js';
import type { Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { STATUS_LABELS } from '../customers/view.js';
import type { CustomerStatus } from '../../models/index.js';
import { checkDate, ownerCondition, type OwnerFilter } from './filters.js';
import { addDays, localToday } from './periods.js';
import { asCents, asCount, centsOf, select } from './sql.js';

export type AgingKey = '0-30' | '31-90' | '91-180' | '180+';

export interface AgingBucket {
  key: AgingKey;
  label: string;
  count: number;
  outstandingCents: Cents;
}

/** One customer's open receivables by bucket (the largest balances first). */
export interface AgingDebtor {
  customerId: number;
  code: string;
  name: string;
  status: CustomerStatus;
  /** 启用 / 停用 / 已删除, as the dashboard shows it. */
  statusLabel: string;
  ownerName: string | null;
  byBucket: Record<AgingKey, Cents>;
  totalCents: Cents;
}

export interface ReceivablesAging {
  /** The day ages are counted to (today in the configured zone unless chosen); ages are whole days past the due date. */
  asOf: string;
  buckets: AgingBucket[];
  totalCents: Cents;
  /** Open receivables not yet due (they are inside the 0–30 bucket). */
  notDueCents: Cents;
  /** The customers with the largest open balances, at most `debtors` of them (default 20). */
  debtors: AgingDebtor[];
}

export interface AgingOptions extends OwnerFilter {
  /** 'YYYY-MM-DD'; open balances are today's, aged as on that day. */
  asOf?: string;
  /** How many customers to list (0: none). */
  debtors?: number;
}

const BUCKETS: { key: AgingKey; label: string; minDays: number; maxDays: number | null }[] = [
  { key: '0-30', label: '0–30 天', minDays: -Infinity, maxDays: 30 },
  { key: '31-90', label: '31–90 天', minDays: 31, maxDays: 90 },
  { key: '91-180', label: '91–180 天', minDays: 91, maxDays: 180 },
  { key: '180+', label: '180 天以上', minDays: 181, maxDays: null },
];

/** The bucket columns (n0/c0 …) and their replacements for ages counted to `asOf`. */
function bucketColumns(asOf: string, outstanding: string): { cols: string[]; replacements: Record<string, unknown> } {
  const replacements: Record<string, unknown> = {};
  const cols = BUCKETS.map((b, i) => {
    // days past due = asOf - due_date, so "at most N days" means due_date >= asOf - N.
    const conds: string[] = [];
    if (b.maxDays !== null) {
      replacements[`lo${i}`] = addDays(asOf, -b.maxDays);
      conds.push(`r.due_date >= :lo${i}`);
    }
    if (Number.isFinite(b.minDays)) {
      replacements[`hi${i}`] = addDays(asOf, -b.minDays);
      conds.push(`r.due_date <= :hi${i}`);
    }
    const when = conds.join(' AND ');
    return `SUM(CASE WHEN ${when} THEN 1 ELSE 0 END) AS n${i}, SUM(CASE WHEN ${when} THEN ${outstanding} ELSE 0 END) AS c${i}`;
  });
  return { cols, replacements };
}

async function debtorsOf(
  core: Core,
  cols: string[],
  outstanding: string,
  where: string,
  replacements: Record<string, unknown>,
  limit: number,
): Promise<AgingDebtor[]> {
  if (limit <= 0) return [];
  const rows = await select<Record<string, unknown>>(
    core,
    `SELECT r.customer_id AS cid, c.code AS code, c.name AS name, c.status AS status, o.display_name AS owner, ${cols.join(', ')}
     FROM receivables r JOIN customers c ON c.id = r.customer_id LEFT JOIN operators o ON o.id = c.owner_id
     WHERE ${where}
     GROUP BY r.customer_id, c.code, c.name, c.status, o.display_name
     ORDER BY SUM(${outstanding}) DESC, c.code LIMIT ${Number(limit)}`,
    replacements,
  );
  return rows.map((r) => {
    const byBucket = Object.fromEntries(BUCKETS.map((b, i) => [b.key, asCents(r[`c${i}`])])) as Record<AgingKey, Cents>;
    const status = String(r.status) as CustomerStatus;
    return {
      customerId: Number(r.cid),
      code: String(r.code),
      name: String(r.name),
      status,
      statusLabel: STATUS_LABELS[status] ?? String(r.status),
      ownerName: r.owner === null || r.owner === undefined ? null : String(r.owner),
      byBucket,
      totalCents: Object.values(byBucket).reduce((s, c) => s + c, 0),
    };
  });
}

/**
 * 应收账龄: open receivables by days past their due date (0–30 / 31–90 / 91–180 / >180),
 * not-yet-due ones counted in 0–30, for the whole book or one owner's customers, with the
 * customers who owe the most. One pass over the (status, due_date) index for the totals.
 */
export async function receivablesAging(core: Core, actor: Actor, opts: AgingOptions = {}): Promise<ReceivablesAging> {
  assertCan(actor.operator, 'view');
  const asOf = opts.asOf === undefined ? localToday(core) : checkDate(opts.asOf, 'asOf');
  const outstanding = `(${centsOf('r.amount')} - ${centsOf('r.paid')})`;
  const { cols, replacements } = bucketColumns(asOf, outstanding);
  const owner = ownerCondition(opts, 'c');
  const join = owner.sql ? ' JOIN customers c ON c.id = r.customer_id' : '';
  const where = `r.status = 'open'${owner.sql}`;
  const all = { ...replacements, ...owner.replacements, asOf };
  const [[row], debtors] = await Promise.all([
    select<Record<string, unknown>>(
      core,
      `SELECT ${cols.join(', ')}, SUM(CASE WHEN r.due_date > :asOf THEN ${outstanding} ELSE 0 END) AS notdue FROM receivables r${join} WHERE ${where}`,
      all,
    ),
    debtorsOf(core, cols, outstanding, where, all, opts.debtors ?? 20),
  ]);
  const buckets = BUCKETS.map((b, i) => ({
    key: b.key,
    label: b.label,
    count: asCount(row?.[`n${i}`]),
    outstandingCents: asCents(row?.[`c${i}`]),
  }));
  return {
    asOf,
    buckets,
    totalCents: buckets.reduce((s, b) => s + b.outstandingCents, 0),
    notDueCents: asCents(row?.notdue),
    debtors,
  };
}

import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { ledgerFreshness, type LedgerFreshness } from '../ledger/freshness.js';
import type { Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { addDays, localToday } from '../reports/periods.js';
import { SALES_STATUSES, asCents, centsOf, select } from '../reports/sql.js';
import { asDay } from '../data/sql.js';

/** An active customer nobody has ordered for in the review window. */
export interface InactiveCustomer {
  id: number;
  code: string;
  name: string;
  ownerId: number | null;
  /** The owner's display name, or null when unassigned. */
  owner: string | null;
  createdAt: Date;
  /** The newest order date (YYYY-MM-DD), or null for never ordered. */
  lastOrderAt: string | null;
  lifetimeSalesCents: Cents;
  openReceivablesCents: Cents;
}

export interface InactiveQuery {
  /** No order for this many days (default REVIEW_INACTIVE_DAYS). */
  days?: number;
  /** Customers someone chose to 保留 within this many days are left out (default REVIEW_KEEP_DAYS). */
  keepDays?: number;
  ownerId?: number;
  /** At most this many rows (default: all). */
  limit?: number;
}

export interface InactiveResult {
  days: number;
  keepDays: number;
  /** Orders on or after this local date count as recent. */
  since: string;
  customers: InactiveCustomer[];
  /** Whether order data is flowing; when it is not, nobody is flagged. */
  ledger: LedgerFreshness;
  /** 「尚未接入进销存订单数据」 or 「最近 N 天没有收到订单数据」 when the review cannot judge; else null. */
  notice: string | null;
}

/** The bounds of the review window, from the clock and the configuration. */
export function reviewWindow(
  core: Core,
  q: InactiveQuery = {},
): { days: number; keepDays: number; since: string; createdBefore: Date; keptSince: Date } {
  const days = q.days ?? core.config.REVIEW_INACTIVE_DAYS;
  const keepDays = q.keepDays ?? core.config.REVIEW_KEEP_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new DomainError(
      'VALIDATION',
      `天数应为 1–3650 之间的整数, 例如「不活跃客户 180」; 收到的是「${String(q.days)}」。`,
      { errors: [{ field: 'days', message: '1–3650 的整数' }] },
    );
  }
  const now = core.now().getTime();
  return {
    days,
    keepDays,
    since: addDays(localToday(core), -days),
    createdBefore: new Date(now - days * 86400_000),
    keptSince: new Date(now - keepDays * 86400_000),
  };
}

/**
 * The one review query. "Ordered" means any order row, whatever its status: a draft or a
 * cancelled order is still contact within the window. Each active customer's newest order is read
 * backwards on sales_orders (customer_id, order_date), one index entry, and serves both as the test
 * (HAVING) and as the date shown. customers.last_order_at holds only dates known from outside our
 * orders (core/customers/last-order.ts: a jshERP sync's closed sales); one inside the window drops
 * the customer before that read. Customers who never ordered are kept (no orders, no date), where
 * ERPNext's inner join drops them.
 */
export const INACTIVE_SQL = `SELECT c.id, c.code, c.name, c.owner_id AS ownerId, op.display_name AS owner, c.created_at AS createdAt,
  c.last_order_at AS knownLastOrderAt,
  (SELECT l.order_date FROM sales_orders l WHERE l.customer_id = c.id ORDER BY l.order_date DESC LIMIT 1) AS newestOrder
FROM customers c /*hint*/
LEFT JOIN customer_keeps k ON k.customer_id = c.id AND k.kept_at >= :keptSince
LEFT JOIN operators op ON op.id = c.owner_id
WHERE c.status = 'active' AND (c.last_order_at IS NULL OR c.last_order_at < :sinceStart) AND c.created_at < :createdBefore /*owner*/
  AND k.id IS NULL`;

/** The quiet ones, in owner order: HAVING on MySQL; SQLite allows HAVING only with an aggregate. */
const QUIET = {
  mysql: (sql: string) => `${sql}\nHAVING newestOrder IS NULL OR newestOrder < :since\nORDER BY c.owner_id, c.id`,
  sqlite: (sql: string) =>
    `SELECT * FROM (${sql}) r WHERE r.newestOrder IS NULL OR r.newestOrder < :since ORDER BY r.ownerId, r.id`,
};

interface Row {
  id: number;
  code: string;
  name: string;
  ownerId: number | null;
  owner: string | null;
  createdAt: Date | string;
  knownLastOrderAt: unknown;
  newestOrder: unknown;
}

/** The statement and its values for a query, as inactiveRows runs it (the benchmark EXPLAINs it). */
export function inactiveStatement(
  core: Core,
  q: InactiveQuery = {},
): { sql: string; replacements: Record<string, unknown>; window: ReturnType<typeof reviewWindow> } {
  const window = reviewWindow(core, q);
  const mysql = core.models.sequelize.getDialect() === 'mysql';
  const sql = INACTIVE_SQL.replace('/*owner*/', q.ownerId !== undefined ? 'AND c.owner_id = :ownerId' : '').replace(
    '/*hint*/',
    // Nearly every active customer is a candidate (most have no outside date): reading the table
    // beats reading it through a status index. An owner's own index stays usable.
    mysql ? 'IGNORE INDEX (customers_status_created, customers_status_id)' : '',
  );
  const dialected = mysql ? QUIET.mysql(sql) : QUIET.sqlite(sql);
  const limited = q.limit ? `${dialected} LIMIT ${Math.max(1, Math.floor(q.limit))}` : dialected;
  // last_order_at holds UTC midnight of the order date (or a time later that day), so "before the window" is before since's UTC midnight.
  const sinceStart = new Date(`${window.since}T00:00:00Z`);
  return {
    sql: limited,
    window,
    replacements: {
      createdBefore: window.createdBefore,
      since: window.since,
      sinceStart,
      keptSince: window.keptSince,
      ownerId: q.ownerId ?? null,
    },
  };
}

/** The inactive rows as they come from the database (one statement). */
export async function inactiveRows(
  core: Core,
  q: InactiveQuery = {},
): Promise<{ window: ReturnType<typeof reviewWindow>; rows: Row[] }> {
  const { sql, replacements, window } = inactiveStatement(core, q);
  return { window, rows: await select<Row>(core, sql, replacements) };
}

/**
 * Lists active customers with no order in N days (never-ordered ones included), or nobody with
 * a notice when no order data has arrived within those N days (core/ledger/freshness). Lifetime sales
 * and open receivables are filled in for the first `figures` customers only (default all):
 * a digest shows a few dozen per person, and those sums read every order of the customer.
 */
export async function findInactive(
  core: Core,
  actor: Actor,
  q: InactiveQuery & { figures?: number } = {},
): Promise<InactiveResult> {
  assertCan(actor.operator, 'view');
  const window0 = reviewWindow(core, q);
  // Without order data, "no order in N days" says nothing about the customer: flag nobody.
  const ledger = await ledgerFreshness(core, { days: window0.days });
  if (ledger.stale)
    return {
      days: window0.days,
      keepDays: window0.keepDays,
      since: window0.since,
      customers: [],
      ledger,
      notice: ledger.notice,
    };
  const { window, rows } = await inactiveRows(core, q);
  const customers: InactiveCustomer[] = rows.map((r) => ({
    id: Number(r.id),
    code: r.code,
    name: r.name,
    ownerId: r.ownerId === null ? null : Number(r.ownerId),
    owner: r.owner ?? null,
    createdAt: r.createdAt instanceof Date ? r.createdAt : new Date(r.createdAt),
    lastOrderAt: later(dateOnly(r.newestOrder), dateOnly(r.knownLastOrderAt)),
    lifetimeSalesCents: 0,
    openReceivablesCents: 0,
  }));
  await addFigures(core, customers.slice(0, q.figures ?? customers.length));
  return { days: window.days, keepDays: window.keepDays, since: window.since, customers, ledger, notice: null };
}

/** Fills in lifetime sales and open receivables, in two grouped queries per 1000 customers (no per-customer queries). */
export async function addFigures(core: Core, customers: InactiveCustomer[]): Promise<void> {
  const figures = await customerFigures(
    core,
    customers.map((c) => c.id),
  );
  for (const c of customers) {
    const f = figures.get(c.id);
    c.lifetimeSalesCents = f?.salesCents ?? 0;
    c.openReceivablesCents = f?.openCents ?? 0;
  }
}

interface Figures {
  salesCents: Cents;
  openCents: Cents;
}

/** Lifetime sales and open receivables for many customers: two grouped queries per 1000 ids. */
export async function customerFigures(core: Core, ids: number[]): Promise<Map<number, Figures>> {
  const out = new Map<number, Figures>();
  const sales = SALES_STATUSES.map((s) => `'${s}'`).join(',');
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const orders = await select<{ customerId: number; sales: unknown }>(
      core,
      `SELECT customer_id AS customerId, SUM(${centsOf('total')}) AS sales
       FROM sales_orders WHERE customer_id IN (:ids) AND status IN (${sales}) GROUP BY customer_id`,
      { ids: chunk },
    );
    const open = await select<{ customerId: number; open: unknown }>(
      core,
      `SELECT customer_id AS customerId, SUM(${centsOf('amount')} - ${centsOf('paid')}) AS open
       FROM receivables WHERE customer_id IN (:ids) AND status = 'open' GROUP BY customer_id`,
      { ids: chunk },
    );
    for (const o of orders) out.set(Number(o.customerId), { salesCents: asCents(o.sales), openCents: 0 });
    for (const r of open) {
      const id = Number(r.customerId);
      const f = out.get(id) ?? { salesCents: 0, openCents: 0 };
      out.set(id, { ...f, openCents: asCents(r.open) });
    }
  }
  return out;
}

/** A DATEONLY value from either driver as YYYY-MM-DD. */
/** The later of two YYYY-MM-DD dates, either possibly missing. */
const later = (a: string | null, b: string | null) => (a && b ? (a > b ? a : b) : (a ?? b));

function dateOnly(v: unknown): string | null {
  return v === null || v === undefined ? null : asDay(v);
}

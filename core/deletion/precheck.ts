import { QueryTypes, type Transaction } from 'sequelize';
import { OPEN_ORDER_STATUSES } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import { formatYuan, toCents, type Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { normalizeCode } from '../customers/codes.js';
import { customerNotFound } from '../customers/view.js';
import { assertOwnerMay } from '../customers/ownership.js';
import { recordCheckBehind } from '../ledger/handling.js';
import { cooperationHistory, type CooperationHistory } from './history.js';

/** One document behind a blocker, so the handling record can follow how it cleared. */
export interface BlockerDoc {
  type: 'order' | 'receivable' | 'reservation';
  /** Document number: the order's, the receivable's (or its order's), the reservation's (or `#id`). */
  number: string;
  source: string;
  /** Order total, or a receivable's outstanding amount. */
  amountCents?: Cents;
  quantity?: number;
}

export interface Blocker {
  kind: 'openOrders' | 'unpaidReceivables' | 'activeReservations' | 'pendingApproval';
  count: number;
  /** Chinese, with the figures, ready to show. */
  text: string;
  numbers?: string[];
  amountCents?: Cents;
  quantity?: number;
  docs?: BlockerDoc[];
}

export interface PrecheckResult {
  code: string;
  name: string;
  customerId: number;
  blockers: Blocker[];
  /** What to do instead when blocked. */
  suggestion: string | null;
  /** Lifetime orders, amount, last order and rank: the prompt warns about a top-20 % customer. */
  history: CooperationHistory;
}

/** One row of the blocker query; the columns mean different things per `kind`. */
interface BlockerRow {
  kind: 'customer' | 'order' | 'receivable' | 'reservation';
  /** Document number, or the customer's code. */
  ref: string | null;
  /** Order date, a receivable's order number, or the customer's name. */
  label: string | null;
  /** Order total, receivable amount, reserved quantity, or the customer's id. */
  amount: string | number | null;
  /** A receivable's paid amount, or the customer's owner id. */
  paid: string | number | null;
  docId: string | number | null;
  source: string | null;
}

/**
 * The open orders, unpaid receivables and active reservations as rows, each on its
 * (customer_id, status) index, in one round trip. `customer` is `:id` or a subquery by code,
 * in which case a first row carries the customer itself.
 */
function blockerSql(customer: ':id' | '(SELECT id FROM customers WHERE code = :code)'): string {
  const self =
    customer === ':id'
      ? ''
      : `SELECT 'customer' AS kind, code AS ref, name AS label, id AS amount, owner_id AS paid, NULL AS docId, NULL AS source FROM customers WHERE code = :code
  UNION ALL `;
  return `${self}SELECT 'order' AS kind, number AS ref, order_date AS label, total AS amount, NULL AS paid, id AS docId, source AS source
    FROM sales_orders WHERE customer_id = ${customer} AND status IN (:open)
  UNION ALL
  SELECT 'receivable', r.number, o.number, r.amount, r.paid, r.id, r.source FROM receivables r LEFT JOIN sales_orders o ON o.id = r.order_id
    WHERE r.customer_id = ${customer} AND r.status = 'open'
  UNION ALL
  SELECT 'reservation', number, NULL, quantity, NULL, id, source FROM reservations WHERE customer_id = ${customer} AND status = 'active'`;
}

const BY_ID = blockerSql(':id');
const BY_CODE = blockerSql('(SELECT id FROM customers WHERE code = :code)');

/** The number a receivable is known by: its own, its order's, or `#id`. */
const receivableRef = (r: BlockerRow) => String(r.ref ?? r.label ?? `#${r.docId}`);

/** Open orders, oldest first, as one blocker; null when there are none. */
function openOrdersBlocker(rows: BlockerRow[]): Blocker | null {
  const orders = rows
    .filter((r) => r.kind === 'order')
    .sort((a, b) => String(a.label).localeCompare(String(b.label)) || String(a.ref).localeCompare(String(b.ref)));
  if (!orders.length) return null;
  const amount = orders.reduce((sum, o) => sum + toCents(o.amount), 0);
  const numbers = orders.map((o) => String(o.ref));
  const shown = numbers.slice(0, 5).join('、') + (numbers.length > 5 ? ' 等' : '');
  const docs = orders.map(
    (o): BlockerDoc => ({
      type: 'order',
      number: String(o.ref),
      source: String(o.source ?? 'local'),
      amountCents: toCents(o.amount),
    }),
  );
  return {
    kind: 'openOrders',
    count: orders.length,
    numbers,
    amountCents: amount,
    text: `未完成订单 ${orders.length} 张 (${shown}), 合计 ${formatYuan(amount)}`,
    docs,
  };
}

/** Unpaid receivables with their outstanding total as one blocker; null when there are none. */
function unpaidReceivablesBlocker(rows: BlockerRow[]): Blocker | null {
  const receivables = rows.filter((r) => r.kind === 'receivable');
  if (!receivables.length) return null;
  const docs = receivables.map(
    (r): BlockerDoc => ({
      type: 'receivable',
      number: receivableRef(r),
      source: String(r.source ?? 'local'),
      amountCents: toCents(r.amount) - toCents(r.paid),
    }),
  );
  const outstanding = docs.reduce((sum, d) => sum + (d.amountCents ?? 0), 0);
  return {
    kind: 'unpaidReceivables',
    count: docs.length,
    numbers: docs.map((d) => d.number),
    amountCents: outstanding,
    text: `未收款 ${docs.length} 笔, 未收金额 ${formatYuan(outstanding)}`,
    docs,
  };
}

/** Active reservations with their total quantity as one blocker; null when there are none. */
function activeReservationsBlocker(rows: BlockerRow[]): Blocker | null {
  const reservations = rows.filter((r) => r.kind === 'reservation');
  if (!reservations.length) return null;
  const docs = reservations.map(
    (r): BlockerDoc => ({
      type: 'reservation',
      number: String(r.ref ?? `#${r.docId}`),
      source: String(r.source ?? 'local'),
      quantity: Number(r.amount),
    }),
  );
  const quantity = docs.reduce((sum, d) => sum + (d.quantity ?? 0), 0);
  return {
    kind: 'activeReservations',
    count: docs.length,
    numbers: docs.map((d) => d.number),
    quantity,
    text: `库存预留 ${docs.length} 条, 共 ${quantity} 件`,
    docs,
  };
}

/** Turns the query's rows into blockers with their figures, documents and Chinese text. */
function toBlockers(rows: BlockerRow[]): Blocker[] {
  return [openOrdersBlocker(rows), unpaidReceivablesBlocker(rows), activeReservationsBlocker(rows)].filter(
    (b): b is Blocker => b !== null,
  );
}

/**
 * Every reason the customer cannot be deleted now, with figures (not stopping at the first
 * linked document). Used inside the request and approval transactions.
 */
export async function collectBlockers(core: Core, customerId: number, t?: Transaction): Promise<Blocker[]> {
  const rows = await core.models.sequelize.query<BlockerRow>(BY_ID, {
    replacements: { id: customerId, open: [...OPEN_ORDER_STATUSES] },
    type: QueryTypes.SELECT,
    transaction: t,
  });
  return toBlockers(rows);
}

/**
 * precheck(code): all blockers at once, plus the suggestion to deactivate instead. One query;
 * the check is recorded for the deletion's 关联数据处理记录 behind the answer (one INSERT).
 */
export async function precheck(core: Core, actor: Actor, rawCode: string): Promise<PrecheckResult> {
  assertCan(actor.operator, 'view');
  const code = normalizeCode(rawCode);
  const rows = await core.models.sequelize.query<BlockerRow>(BY_CODE, {
    replacements: { code, open: [...OPEN_ORDER_STATUSES] },
    type: QueryTypes.SELECT,
  });
  const customer = rows.find((r) => r.kind === 'customer');
  if (!customer) throw customerNotFound(code);
  // Ownership is decided before anything is shown or proposed (the delete prompt starts here).
  assertOwnerMay(
    core,
    actor,
    { code: String(customer.ref), ownerId: customer.paid === null ? null : Number(customer.paid) },
    'requestDeletion',
  );
  const blockers = toBlockers(rows);
  recordCheckBehind(core, actor, {
    customerId: Number(customer.amount),
    customerCode: String(customer.ref),
    stage: 'precheck',
    blockers,
  });
  const history = await cooperationHistory(core, Number(customer.amount));
  return {
    code: String(customer.ref),
    name: String(customer.label),
    customerId: Number(customer.amount),
    blockers,
    history,
    suggestion: blockers.length
      ? `先处理完以上业务再删除; 如只是不再合作, 建议改为「停用客户 ${customer.ref}」, 停用后不能再下新单, 数据和历史都保留。`
      : null,
  };
}

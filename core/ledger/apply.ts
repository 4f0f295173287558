import { Op, UniqueConstraintError, type Transaction } from 'sequelize';
import type { Customer } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError, validationError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { recordLedgerEvents, touchLedgerFeed, type LedgerEventInput } from './events.js';
import {
  loadCustomers,
  loadOrders,
  loadReceivables,
  loadReservations,
  type CustomerRow,
  type OrderRow,
  type ReceivableRow,
  type ReservationRow,
} from './load.js';
import {
  asError,
  planOrder,
  planReceivable,
  planReservation,
  type Decision,
  type OutcomeError,
  type Planned,
  type PlanContext,
} from './plan.js';
import type { LedgerApplyOptions, LedgerApplyResult, LedgerDoc, LedgerOutcome } from './types.js';
import {
  DOC_TYPE_LABELS,
  validateDoc,
  type DocIn,
  type OrderIn,
  type ReceivableIn,
  type ReservationIn,
} from './validate.js';
import { together } from './together.js';
import { isMysql } from '../data/sql.js';
import { resolveOrderLinks, writeOrders, writeReceivables, writeReservations, type WriteContext } from './write.js';
import { isOpenForBusiness } from '../customers/lifecycle.js';

/** Orders and reservations are sales work; receivables are finance's. */
function assertMayPush(actor: Actor, docs: DocIn[]): void {
  if (docs.some((d) => d.type !== 'receivable')) assertCan(actor.operator, 'orders');
  if (docs.some((d) => d.type === 'receivable')) assertCan(actor.operator, 'payments');
}

interface Checked {
  good: DocIn[];
  bad: Map<number, OutcomeError>;
  ids: { type: DocIn['type']; number: string }[];
}

/** Validates every document and refuses a number that comes twice in one call (the later ones). */
function check(docs: (LedgerDoc | Record<string, unknown>)[]): Checked {
  const good: DocIn[] = [];
  const bad = new Map<number, OutcomeError>();
  const seen = new Map<string, number>();
  const ids = docs.map((raw) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const type = typeof r.type === 'string' && r.type in DOC_TYPE_LABELS ? (r.type as DocIn['type']) : 'order';
    return { type, number: typeof r.number === 'string' ? r.number.trim() : '' };
  });
  docs.forEach((raw, index) => {
    const v = validateDoc(raw, index);
    if ('errors' in v) return bad.set(index, asError(validationError(v.errors)));
    const key = `${v.doc.type}:${v.doc.number}`;
    const first = seen.get(key);
    if (first !== undefined) {
      return bad.set(
        index,
        asError(
          validationError([
            {
              field: 'number',
              message: `${DOC_TYPE_LABELS[v.doc.type]}单号 ${v.doc.number} 在本次提交中重复 (与第 ${first + 1} 条相同); 每个单号只能出现一次`,
            },
          ]),
        ),
      );
    }
    seen.set(key, index);
    good.push(v.doc);
  });
  return { good, bad, ids };
}

/** The full rows of the inactive and deleted customers named: the 停用 message needs reason and date. */
async function closedCustomers(
  core: Core,
  customers: Map<string, CustomerRow>,
  t: Transaction | null,
): Promise<Map<number, Customer>> {
  const ids = [...customers.values()].filter((c) => !isOpenForBusiness(c.status, 'new')).map((c) => c.id);
  if (!ids.length) return new Map();
  const rows = await core.models.Customer.findAll({ where: { id: { [Op.in]: ids } }, transaction: t ?? undefined });
  return new Map(rows.map((c) => [c.id, c]));
}

interface Planning {
  decisions: Decision[];
  orders: Planned[];
  receivables: Planned[];
  reservations: Planned[];
  orderIds: Map<string, number>;
}

/**
 * Reads what the call touches (customers locked on MySQL) and decides every document. In a
 * transaction of its own on MySQL, the documents already stored are read on a pooled connection,
 * beside the customers' locking read instead of after it: a plain read either way, and a number
 * another push stores meanwhile ends in lostRace's retry as before. Inside a caller's transaction
 * they must be read there, where that transaction's own earlier documents are visible.
 */
async function plan(
  core: Core,
  docs: DocIn[],
  t: Transaction | null,
  ownTransaction: boolean,
  existingBusiness = false,
): Promise<Planning> {
  const docsT = ownTransaction && isMysql(core.models.sequelize) ? null : t;
  const of = <T extends DocIn>(type: T['type']) => docs.filter((d): d is T => d.type === type);
  const orderDocs = of<OrderIn>('order');
  const recDocs = of<ReceivableIn>('receivable');
  const resDocs = of<ReservationIn>('reservation');
  const links = [...recDocs, ...resDocs].map((d) => d.orderNumber).filter((n): n is string => !!n);
  let customers = new Map<string, CustomerRow>();
  let existingOrders = new Map<string, OrderRow>();
  let existingRec = new Map<string, ReceivableRow>();
  let existingRes = new Map<string, ReservationRow>();
  await together(core, [
    async () =>
      (customers = await loadCustomers(
        core,
        docs.map((d) => d.customerCode),
        t,
      )),
    async () => (existingOrders = await loadOrders(core, [...orderDocs.map((d) => d.number), ...links], docsT)),
    async () =>
      (existingRec = recDocs.length
        ? await loadReceivables(
            core,
            recDocs.map((d) => d.number),
            docsT,
          )
        : existingRec),
    async () =>
      (existingRes = resDocs.length
        ? await loadReservations(
            core,
            resDocs.map((d) => d.number),
            docsT,
          )
        : existingRes),
  ]);
  const ctx: PlanContext = {
    core,
    customers,
    closed: await closedCustomers(core, customers, t),
    linkable: new Set(existingOrders.keys()),
    existingBusiness,
  };
  const decisions: Decision[] = orderDocs.map((d) => planOrder(ctx, d, existingOrders.get(d.number)));
  for (const d of decisions) if (!('error' in d)) ctx.linkable.add(d.doc.number);
  decisions.push(...recDocs.map((d) => planReceivable(ctx, d, existingRec.get(d.number))));
  decisions.push(...resDocs.map((d) => planReservation(ctx, d, existingRes.get(d.number))));
  const ok = (type: DocIn['type']) => decisions.filter((d): d is Planned => !('error' in d) && d.doc.type === type);
  const orderIds = new Map([...existingOrders].map(([n, o]) => [n, Number(o.id)]));
  return { decisions, orders: ok('order'), receivables: ok('receivable'), reservations: ok('reservation'), orderIds };
}

function events(actor: Actor, opts: LedgerApplyOptions, items: Planned[], at: Date): LedgerEventInput[] {
  // In the order the caller sent them, so the history reads as the ERP stated it.
  return items
    .filter((p) => p.result !== 'unchanged')
    .sort((a, b) => a.doc.index - b.doc.index)
    .map((p) => ({
      docType: p.doc.type,
      docNumber: p.doc.number,
      customerId: p.customer.id,
      change: p.change,
      before: p.before,
      after: p.after,
      source: opts.source,
      door: actor.door,
      actorName: actor.operator.displayName,
      batchId: opts.batchId ?? null,
      at,
    }));
}

/**
 * Writes a planned call: documents, history, feed freshness and one audit event. The customers'
 * 最近下单 follows from the orders themselves (core/customers/last-order.ts): no customer row is written.
 */
async function write(
  core: Core,
  actor: Actor,
  opts: LedgerApplyOptions,
  p: Planning,
  t: Transaction,
  counts: LedgerApplyResult['counts'],
): Promise<void> {
  const now = core.now();
  const w: WriteContext = { core, t, source: opts.source, now, orderIds: p.orderIds };
  const linking = [...p.receivables, ...p.reservations];
  const orderDates = p.orders.map((o) => (o.doc.type === 'order' ? o.doc.date : '')).sort();
  await together(core, [
    async () => {
      // Receivables and reservations may link to orders of this same call: orders go first.
      await writeOrders(w, p.orders);
      await resolveOrderLinks(
        w,
        linking.filter((x) => x.result !== 'unchanged'),
      );
      await writeReceivables(w, p.receivables);
      await writeReservations(w, p.reservations);
    },
    () => recordLedgerEvents(core, t, events(actor, opts, [...p.orders, ...linking], now)),
    () =>
      touchLedgerFeed(core, t, {
        source: opts.source,
        at: now,
        documents: p.orders.length + linking.length,
        orders: p.orders.length > 0,
        lastDocumentDate: orderDates.pop() ?? null,
      }),
  ]);
  if (counts.created + counts.updated > 0) {
    // One audit event per call, not per document: the audit head is locked until commit.
    await appendAudit(core, t, actor, {
      action: 'ledger.push',
      info: { source: opts.source, batchId: opts.batchId ?? null, ...counts },
    });
  }
}

/** Whether a failed call lost a race with a concurrent push of the same number. */
function lostRace(err: unknown): boolean {
  if (err instanceof UniqueConstraintError) return true;
  const e = err as { original?: { code?: string; errno?: number }; parent?: { code?: string } };
  const code = e?.original?.code ?? e?.parent?.code ?? '';
  return ['ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_CONSTRAINT'].includes(code);
}

/** One document's outcome: refused when checked or planned, else what planning decided. */
function outcomeOf(
  index: number,
  id: Checked['ids'][number],
  invalid: OutcomeError | undefined,
  d: Decision | undefined,
): LedgerOutcome {
  const error = invalid ?? (d && 'error' in d ? d.error : undefined);
  const result = error || !d ? 'error' : (d as Planned).result;
  const warning = d && !('error' in d) ? d.warning : undefined;
  return {
    index,
    type: d?.doc.type ?? id.type,
    number: d?.doc.number ?? id.number,
    result,
    ...(error ? { error } : {}),
    ...(warning ? { warning } : {}),
  };
}

async function attempt(
  core: Core,
  actor: Actor,
  { good: docs, bad, ids }: Checked,
  opts: LedgerApplyOptions,
): Promise<LedgerApplyResult> {
  const run = async (t: Transaction | null): Promise<LedgerApplyResult> => {
    const p = docs.length
      ? await plan(core, docs, t, !opts.transaction, opts.existingBusiness)
      : { decisions: [], orders: [], receivables: [], reservations: [], orderIds: new Map() };
    const byIndex = new Map<number, Decision>(p.decisions.map((d) => [d.doc.index, d]));
    const counts = { created: 0, updated: 0, unchanged: 0, error: 0 };
    const outcomes: LedgerOutcome[] = [];
    for (let index = 0; index < ids.length; index++) {
      const o = outcomeOf(index, ids[index]!, bad.get(index), byIndex.get(index));
      counts[o.result]++;
      outcomes.push(o);
    }
    const applied = !opts.dryRun && !(opts.atomic && counts.error > 0);
    for (const o of outcomes) if (o.result !== 'error') o.applied = applied;
    if (applied && t) await write(core, actor, opts, p, t, counts);
    return { outcomes, counts, applied };
  };
  if (opts.dryRun) return run(opts.transaction ?? null);
  return withTransaction(core.models.sequelize, run, opts.transaction);
}

/**
 * The one way ledger documents enter: the API, file imports and the jshERP sync all call this.
 * Upserts by document number in one transaction with set-based reads and writes; applies the
 * 停用 rule to new business only; records one ledger event per change and one audit event per call.
 */
export async function applyLedger(
  core: Core,
  actor: Actor,
  docs: (LedgerDoc | Record<string, unknown>)[],
  opts: LedgerApplyOptions,
): Promise<LedgerApplyResult> {
  const checked = check(docs);
  assertMayPush(actor, checked.good);
  try {
    return await attempt(core, actor, checked, opts);
  } catch (err) {
    if (!lostRace(err)) throw err;
    // Inside a caller's transaction a lost race has already spoilt it: no second try there.
    if (opts.transaction) throw conflict();
  }
  // A concurrent push created one of these numbers first: once more, now as updates.
  try {
    return await attempt(core, actor, checked, opts);
  } catch (err) {
    if (!lostRace(err)) throw err;
    throw conflict();
  }
}

function conflict(): DomainError {
  return new DomainError('CONFLICT', '另一个请求正在同时写入相同单号的单据, 本次未写入。请稍后重试。', { retry: true });
}

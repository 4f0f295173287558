import type { Actor, Core } from '../../context.js';
import { localToday } from '../../reports/periods.js';
import { applyLedger } from '../apply.js';
import type { LedgerDoc } from '../types.js';
import { LEDGER_BATCH_MAX } from '../validate.js';
import { readFigures } from './balances.js';
import type { JshDb } from './connection.js';
import {
  heldOpenOrders,
  heldReceivables,
  openOrderDoc,
  ourNumber,
  receivableDoc,
  receivableNumber,
  windDownDoc,
  type HeldOrder,
} from './docs.js';
import { advanceLastOrderAt } from './last-order.js';
import { loadLinks } from './links.js';
import { readNewOrders, readOpenOrders, readOrdersByNumber, readTouchedOrgans, type JshOrder } from './read.js';

type Links = Map<number, { customerId: number; code: string }>;

/** What the document part of a sync did. */
export interface DocumentCounts {
  sent: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: number;
  openOrders: number;
  closedOrders: number;
  receivables: number;
  lastOrderDates: number;
  unlinkedDocuments: number;
  /** Open orders of 停用 customers: real business in jshERP, recorded so the delete check sees it, and reported. */
  refused: { number: string; code: string; message: string }[];
}

/** Which orders are open in jshERP now, and which we hold open that are no longer (with their fate). */
async function orderPicture(
  db: JshDb,
  held: Map<string, HeldOrder>,
  full: boolean,
  depotAfter: number,
): Promise<{ open: JshOrder[]; gone: { held: HeldOrder; status: 'closed' | 'cancelled' }[] }> {
  if (full) {
    const open = await readOpenOrders(db);
    const still = new Set(open.map((o) => ourNumber(o.number)));
    const missing = [...held.values()].filter((h) => !still.has(h.number));
    const fate = new Map(
      (
        await readOrdersByNumberChunked(
          db,
          missing.map((h) => h.number),
        )
      ).map((o) => [ourNumber(o.number), o]),
    );
    return {
      open,
      gone: missing.map((h) => ({
        held: h,
        status: fate.get(h.number)?.live && fate.get(h.number)?.status === '2' ? 'closed' : 'cancelled',
      })),
    };
  }
  // Incremental: new orders by id, and the fate of every order we hold open (their status changes carry no timestamp).
  const rechecked = await readOrdersByNumberChunked(db, [...held.keys()]);
  const byNumber = new Map(rechecked.map((o) => [ourNumber(o.number), o]));
  const open = [
    ...new Map(
      [...rechecked.filter((o) => o.live && o.status !== '2'), ...(await readNewOrders(db, depotAfter))].map((x) => [
        ourNumber(x.number),
        x,
      ]),
    ).values(),
  ];
  const gone = [...held.values()]
    .filter((h) => {
      const o = byNumber.get(h.number);
      return !o || !o.live || o.status === '2';
    })
    .map((h) => ({ held: h, status: byNumber.get(h.number)?.live ? ('closed' as const) : ('cancelled' as const) }));
  return { open, gone };
}

/** Re-reads orders by number, 500 a query, four queries at a time (the pool's size): round trips dominate. */
async function readOrdersByNumberChunked(db: JshDb, numbers: string[]) {
  const parts: string[][] = [];
  for (let i = 0; i < numbers.length; i += 500) parts.push(numbers.slice(i, i + 500));
  const out = [];
  for (let i = 0; i < parts.length; i += 4)
    for (const rows of await Promise.all(parts.slice(i, i + 4).map((p) => readOrdersByNumber(db, p))))
      out.push(...rows);
  return out;
}

/** Sends documents through applyLedger in batches and tallies the outcomes. */
async function push(
  core: Core,
  actor: Actor,
  docs: LedgerDoc[],
  dryRun: boolean,
  counts: DocumentCounts,
): Promise<void> {
  for (let i = 0; i < docs.length; i += LEDGER_BATCH_MAX) {
    const part = docs.slice(i, i + LEDGER_BATCH_MAX);
    // jshERP is the system of record: its orders exist already, so a 停用 customer's order is recorded (and reported), never dropped.
    const r = await applyLedger(core, actor, part, { source: 'jsherp', dryRun, existingBusiness: true });
    counts.created += r.counts.created;
    counts.updated += r.counts.updated;
    counts.unchanged += r.counts.unchanged;
    counts.errors += r.counts.error;
    for (const o of r.outcomes) {
      const why = o.warning ?? (o.result === 'error' ? o.error : undefined);
      if (why) counts.refused.push({ number: o.number, code: part[o.index]!.customerCode, message: why.message });
    }
  }
  counts.sent += docs.length;
}

/** Adds the open orders that differ from what we hold; an order of an unlinked customer is only counted. */
function addOpenOrders(
  docs: LedgerDoc[],
  open: JshOrder[],
  held: Map<string, HeldOrder>,
  links: Links,
  counts: DocumentCounts,
): void {
  for (const order of open) {
    const mine = held.get(ourNumber(order.number));
    const code = mine?.code ?? links.get(order.organId)?.code;
    if (!code) {
      counts.unlinkedDocuments++;
      continue;
    }
    const doc = openOrderDoc({ ...order, number: ourNumber(order.number) }, code, mine);
    if (doc) docs.push(doc);
  }
}

/**
 * Reads the tenant's documents (all, or what changed since the cursors), turns them into ledger
 * documents that differ from what we hold, and writes them through applyLedger; then moves
 * lastOrderAt forward from 销售 / 销售订单 dates.
 */
export async function syncDocuments(
  core: Core,
  actor: Actor,
  db: JshDb,
  o: { full: boolean; dryRun: boolean; depotAfter: number; accountAfter: number; newlyLinked: number[] },
): Promise<DocumentCounts> {
  const counts: DocumentCounts = {
    sent: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: 0,
    openOrders: 0,
    closedOrders: 0,
    receivables: 0,
    lastOrderDates: 0,
    unlinkedDocuments: 0,
    refused: [],
  };
  const held = await heldOpenOrders(core);
  const { open, gone } = await orderPicture(db, held, o.full, o.depotAfter);
  // Receivables and dates change only with 销售 / 销售退货 / 收款 rows and new orders: new ids, so the
  // incremental scope is their customers (and those just linked). Orders we hold keep their code.
  const scopeIds = o.full
    ? null
    : [...new Set([...(await readTouchedOrgans(db, o.depotAfter, o.accountAfter)), ...o.newlyLinked])];
  const unheld = open.filter((x) => !held.has(ourNumber(x.number))).map((x) => x.organId);
  const links: Links = await loadLinks(core, db.tenantId, scopeIds === null ? undefined : [...scopeIds, ...unheld]);
  const docs: LedgerDoc[] = [];
  addOpenOrders(docs, open, held, links, counts);
  counts.openOrders = docs.length;
  for (const g of gone) docs.push(windDownDoc(g.held, g.status));
  counts.closedOrders = gone.length;
  const scope = scopeIds === null ? null : scopeIds.filter((id) => links.has(id));
  const { receivables: balances, lastOrderTimes: times } = await readFigures(db, scope);
  const heldRec = await heldReceivables(core, scope === null ? null : scope.map(receivableNumber));
  const today = localToday(core);
  const before = docs.length;
  for (const [jshId, balance] of balances) {
    const link = links.get(jshId);
    if (!link) continue;
    const doc = receivableDoc(jshId, link.code, balance, heldRec.get(receivableNumber(jshId)), today);
    if (doc) docs.push(doc);
  }
  counts.receivables = docs.length - before;
  await push(core, actor, docs, o.dryRun, counts);
  const byCustomer = new Map(
    [...times].filter(([id]) => links.has(id)).map(([id, at]) => [links.get(id)!.customerId, at]),
  );
  counts.lastOrderDates = o.dryRun ? 0 : await advanceLastOrderAt(core, byCustomer);
  return counts;
}

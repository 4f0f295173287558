import type { Transaction } from 'sequelize';
import type { Core } from '../../context.js';
import { canonicalJson } from '../../canonical.js';
import { chunks, selectRows } from '../../data/sql.js';
import { recordLedgerEvents, type LedgerEventInput } from '../events.js';
import { loadOrders, loadReceivables } from '../load.js';
import { orderFields, receivableFields } from '../plan.js';

type Fields = Record<string, unknown>;

/** One document a batch changed: its state before the batch and after it. */
interface DocChange {
  docType: 'order' | 'receivable';
  number: string;
  customerId: number;
  before: Fields | null;
  after: Fields;
  firstEventId: number;
}

/** A document the batch changed that has been changed again since, so it is left alone. */
export interface TouchedDoc {
  number: string;
  reason: string;
}

export interface RevertResult {
  removed: number;
  restored: number;
  touched: TouchedDoc[];
}

interface EventRow {
  id: number;
  docType: string;
  docNumber: string;
  customerId: number;
  before: string | null;
  after: string | null;
}

/** Per document, the batch's first `before` and last `after`, from its ledger events. */
async function batchChanges(core: Core, batchId: number, t: Transaction): Promise<DocChange[]> {
  const rows = await selectRows<EventRow>(
    core.models.sequelize,
    'SELECT id, doc_type AS docType, doc_number AS docNumber, customer_id AS customerId, `before`, `after` FROM ledger_events WHERE batch_id = ? ORDER BY id',
    [batchId],
    t,
  );
  const docs = new Map<string, DocChange>();
  for (const r of rows) {
    const key = `${r.docType}:${r.docNumber}`;
    const after = JSON.parse(r.after ?? '{}') as Fields;
    const seen = docs.get(key);
    if (seen) seen.after = after;
    else
      docs.set(key, {
        docType: r.docType as DocChange['docType'],
        number: r.docNumber,
        customerId: Number(r.customerId),
        before: r.before ? (JSON.parse(r.before) as Fields) : null,
        after,
        firstEventId: Number(r.id),
      });
  }
  return [...docs.values()];
}

/** The latest change to each document made outside the batch, for the refusal's list. */
async function laterChanges(
  core: Core,
  batchId: number,
  docs: DocChange[],
  t: Transaction,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const type of ['order', 'receivable'] as const) {
    for (const list of chunks(docs.filter((d) => d.docType === type).map((d) => d.number))) {
      const rows = await selectRows<{ docNumber: string; source: string; actorName: string; at: unknown }>(
        core.models.sequelize,
        'SELECT doc_number AS docNumber, source, actor_name AS actorName, at FROM ledger_events WHERE doc_type = ? AND doc_number IN (?) AND (batch_id IS NULL OR batch_id <> ?) ORDER BY id',
        [type, list, batchId],
        t,
      );
      for (const r of rows)
        out.set(
          `${type}:${r.docNumber}`,
          `${new Date(String(r.at instanceof Date ? r.at.toISOString() : r.at)).toISOString().slice(0, 16).replace('T', ' ')} UTC 由 ${r.actorName} (${r.source}) 改动`,
        );
    }
  }
  return out;
}

/** The source each document had before the batch (the last earlier event's), else local. */
async function earlierSources(core: Core, docs: DocChange[], t: Transaction): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const first = Math.min(...docs.map((d) => d.firstEventId));
  for (const type of ['order', 'receivable'] as const) {
    for (const list of chunks(docs.filter((d) => d.docType === type).map((d) => d.number))) {
      const rows = await selectRows<{ docNumber: string; source: string; id: number }>(
        core.models.sequelize,
        'SELECT id, doc_number AS docNumber, source FROM ledger_events WHERE doc_type = ? AND doc_number IN (?) AND id < ? ORDER BY id',
        [type, list, first],
        t,
      );
      for (const r of rows) out.set(`${type}:${r.docNumber}`, r.source);
    }
  }
  return out;
}

/** The documents as they are now, in the same field shape as the events' before/after. */
async function currentFields(
  core: Core,
  docs: DocChange[],
  t: Transaction,
): Promise<Map<string, { id: number; fields: Fields }>> {
  const out = new Map<string, { id: number; fields: Fields }>();
  const of = (type: string) => docs.filter((d) => d.docType === type).map((d) => d.number);
  for (const [n, r] of await loadOrders(core, of('order'), t))
    out.set(`order:${n}`, { id: Number(r.id), fields: orderFields(r) });
  for (const [n, r] of await loadReceivables(core, of('receivable'), t))
    out.set(`receivable:${n}`, { id: Number(r.id), fields: receivableFields(r) });
  return out;
}

const same = (a: Fields, b: Fields) => canonicalJson(a) === canonicalJson(b);

/**
 * Puts back every document a ledger batch changed, inside `t`: documents it created are deleted,
 * documents it updated get their earlier fields (and source) again, and each gets a ledger event.
 * A document changed since (its state is no longer what the batch left) is listed and nothing is
 * done: the caller refuses the whole undo then.
 */
export async function revertBatch(
  core: Core,
  t: Transaction,
  batchId: number,
  actor: { door: string; actorName: string },
): Promise<RevertResult> {
  const docs = await batchChanges(core, batchId, t);
  const result: RevertResult = { removed: 0, restored: 0, touched: [] };
  if (!docs.length) return result;
  const now = await currentFields(core, docs, t);
  const later = await laterChanges(core, batchId, docs, t);
  for (const d of docs) {
    const key = `${d.docType}:${d.number}`;
    const cur = now.get(key);
    if (!cur) result.touched.push({ number: d.number, reason: '已被删除' });
    else if (!same(cur.fields, d.after))
      result.touched.push({
        number: d.number,
        reason: later.get(key) ? `导入后又被改动: ${later.get(key)}` : '导入后又被改动',
      });
  }
  if (result.touched.length) return result;
  const sources = await earlierSources(core, docs, t);
  const at = core.now();
  const events: LedgerEventInput[] = [];
  const created = docs.filter((d) => !d.before);
  await removeCreated(core, t, created, now);
  for (const d of docs.filter((x) => x.before)) {
    const key = `${d.docType}:${d.number}`;
    await restoreFields(core, t, d, now.get(key)!.id, sources.get(key) ?? 'local', at);
  }
  for (const d of docs) {
    events.push({
      docType: d.docType,
      docNumber: d.number,
      customerId: d.customerId,
      change: 'import-undone',
      before: d.after,
      after: d.before,
      source: 'file',
      door: actor.door,
      actorName: actor.actorName,
      batchId: null,
      at,
    });
  }
  await recordLedgerEvents(core, t, events);
  // 最近下单 follows the remaining orders by itself (core/customers/last-order.ts).
  result.removed = created.length;
  result.restored = docs.length - created.length;
  return result;
}

async function removeCreated(
  core: Core,
  t: Transaction,
  created: DocChange[],
  now: Map<string, { id: number }>,
): Promise<void> {
  const { sequelize } = core.models;
  for (const [type, table] of [
    ['order', 'sales_orders'],
    ['receivable', 'receivables'],
  ] as const) {
    const ids = created.filter((d) => d.docType === type).map((d) => now.get(`${type}:${d.number}`)!.id);
    if (type === 'order') {
      // Receivables and reservations of the company's own that point at an order being removed lose the link, not their money.
      for (const list of chunks(ids)) {
        await sequelize.query('UPDATE receivables SET order_id = NULL WHERE order_id IN (?)', {
          replacements: [list],
          transaction: t,
        });
        await sequelize.query('UPDATE reservations SET order_id = NULL WHERE order_id IN (?)', {
          replacements: [list],
          transaction: t,
        });
      }
    }
    for (const list of chunks(ids))
      await sequelize.query(`DELETE FROM ${table} WHERE id IN (?)`, { replacements: [list], transaction: t });
  }
}

async function restoreFields(
  core: Core,
  t: Transaction,
  d: DocChange,
  id: number,
  source: string,
  at: Date,
): Promise<void> {
  const { sequelize } = core.models;
  const b = d.before!;
  if (d.docType === 'order') {
    await sequelize.query(
      'UPDATE sales_orders SET status = ?, order_date = ?, total = ?, source = ?, updated_at = ? WHERE id = ?',
      { replacements: [b.status, b.date, b.total, source, at, id], transaction: t },
    );
    return;
  }
  const order = b.orderNumber
    ? await selectRows<{ id: number }>(sequelize, 'SELECT id FROM sales_orders WHERE number = ?', [b.orderNumber], t)
    : [];
  await sequelize.query(
    'UPDATE receivables SET amount = ?, paid = ?, due_date = ?, status = ?, order_id = ?, source = ?, updated_at = ? WHERE id = ?',
    {
      replacements: [b.amount, b.paid, b.dueDate, b.status, order[0]?.id ?? null, source, at, id],
      transaction: t,
    },
  );
}

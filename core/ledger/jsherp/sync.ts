import type { JsherpState } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import type { Actor, Core } from '../../context.js';
import { touchLedgerFeed } from '../events.js';
import { jshError, type JshDb } from './connection.js';
import { syncCustomers, type CustomerCounts } from './customers-step.js';
import { syncDocuments, type DocumentCounts } from './documents-step.js';
import { readCursors, readCustomers } from './read.js';
import { checkSchema, checkTenant } from './schema.js';

/** A full reconcile (every open order and every balance re-read) at least this often. */
export const FULL_EVERY_MS = 60 * 60_000;

export interface SyncOptions {
  full?: boolean;
  dryRun?: boolean;
}

/** What one sync did, for the job run's summary and detail. */
export interface SyncReport {
  tenantId: number;
  full: boolean;
  dryRun: boolean;
  customers: CustomerCounts;
  documents: DocumentCounts;
  ms: number;
}

/** The tenant's sync state (cursors at 0 before the first sync). */
export async function syncState(core: Core, tenantId: number): Promise<JsherpState> {
  const [row] = await core.models.JsherpState.findOrCreate({
    where: { tenantId },
    defaults: {
      tenantId,
      baselineSupplierId: 0,
      lastSupplierId: 0,
      lastDepotId: 0,
      lastAccountId: 0,
      lastFullAt: null,
      lastSyncAt: null,
      lastStatus: null,
      lastSummary: null,
    },
  });
  return row;
}

/** One Chinese line for the job run, the CLI and the back office. */
export function syncSummary(r: SyncReport): string {
  const c = r.customers;
  const d = r.documents;
  const parts = [
    `${r.full ? '全量核对' : '增量同步'}${r.dryRun ? ' (试运行)' : ''}: 客户 ${c.seen} 个 (新关联 ${c.linked}, 新建 ${c.created}, 待人工确认 ${c.ambiguous + c.unmatched})`,
    `单据 写入 ${d.created + d.updated}, 不变 ${d.unchanged} (未完成订单 ${d.openOrders}, 已了结 ${d.closedOrders}, 应收 ${d.receivables})`,
  ];
  if (d.refused.length)
    parts.push(
      `${d.refused.length} 张属于停用客户 (${d.refused
        .slice(0, 3)
        .map((x) => `${x.number}/${x.code}`)
        .join('、')})`,
    );
  if (d.unlinkedDocuments) parts.push(`${d.unlinkedDocuments} 张属于未关联客户`);
  return `${parts.join('; ')}; 用时 ${(r.ms / 1000).toFixed(1)} 秒。`;
}

/**
 * Syncs one tenant of jshERP into our ledger: checks the schema and tenant, links customers,
 * then documents. Incremental by id cursors unless a full reconcile is due or asked for. The
 * cursors move only when everything succeeded, so a failed sync is simply redone.
 */
export async function syncJsherp(core: Core, actor: Actor, db: JshDb, opts: SyncOptions = {}): Promise<SyncReport> {
  const started = Date.now();
  const dryRun = Boolean(opts.dryRun);
  await checkSchema(db, { writeBack: false });
  await checkTenant(db);
  const state = await syncState(core, db.tenantId);
  const cursors = await readCursors(db);
  const full =
    Boolean(opts.full) ||
    !state.linkedOnce ||
    !state.lastFullAt ||
    core.now().getTime() - state.lastFullAt.getTime() >= FULL_EVERY_MS;
  const jsh = await readCustomers(db, full ? {} : { afterId: Number(state.lastSupplierId) });
  const customers = await syncCustomers(core, actor, db.tenantId, jsh, {
    baseline: state.linkedOnce ? Number(state.baselineSupplierId) : null,
    full,
    dryRun,
  });
  const documents = await syncDocuments(core, actor, db, {
    full,
    dryRun,
    depotAfter: Number(state.lastDepotId),
    accountAfter: Number(state.lastAccountId),
    newlyLinked: customers.newlyLinked,
  });
  const report: SyncReport = { tenantId: db.tenantId, full, dryRun, customers, documents, ms: Date.now() - started };
  if (!dryRun) await saveState(core, state, cursors, report);
  return report;
}

/** Moves the cursors, records the outcome and tells the review that jshERP data is flowing. */
async function saveState(
  core: Core,
  state: JsherpState,
  cursors: { supplier: number; depot: number; account: number },
  r: SyncReport,
): Promise<void> {
  await withTransaction(core.models.sequelize, async (t) => {
    const now = core.now();
    await state.update(
      {
        linkedOnce: true,
        baselineSupplierId: state.linkedOnce ? state.baselineSupplierId : cursors.supplier,
        lastSupplierId: cursors.supplier,
        lastDepotId: cursors.depot,
        lastAccountId: cursors.account,
        syncs: state.syncs + 1,
        lastFullAt: r.full ? now : state.lastFullAt,
        lastSyncAt: now,
        lastStatus: 'ok',
        lastSummary: syncSummary(r).slice(0, 1000),
      },
      { transaction: t },
    );
    // A successful read of jshERP's orders is order data received, even when none changed.
    await touchLedgerFeed(core, t, { source: 'jsherp', at: now, documents: 0, orders: true, lastDocumentDate: null });
  });
}

/** Records a failed sync on the state row (cursors unchanged) and returns the Chinese message. */
export async function recordSyncFailure(
  core: Core,
  db: Pick<JshDb, 'where' | 'tenantId'>,
  err: unknown,
): Promise<string> {
  const message = jshError(db, err).message;
  const state = await syncState(core, db.tenantId);
  await state.update({ lastSyncAt: core.now(), lastStatus: 'failed', lastSummary: message.slice(0, 1000) });
  return message;
}

import { Op, type Transaction } from 'sequelize';
import type { Customer, ImportBatch, ImportRow } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAuditMany, type AuditInput } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { decrypt } from '../privacy.js';
import { chunks } from './sql.js';
import { isDeleted } from '../customers/lifecycle.js';

/** What an undo did, and what it left because someone touched it since. */
export interface UndoReport {
  batchId: string;
  fileName: string;
  removed: number;
  restored: number;
  /** Rows not undone: changed, used or deleted since the import. */
  touched: { row: number; code: string; reason: string }[];
}

async function findBatch(core: Core, ref: string, t: Transaction): Promise<ImportBatch> {
  const id = Number(String(ref).replace(/^#/, ''));
  const batch =
    Number.isInteger(id) && id > 0
      ? await core.models.ImportBatch.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE })
      : null;
  if (!batch)
    throw new DomainError(
      'NOT_FOUND',
      `找不到导入批次「${ref}」。导入完成时会显示批次号; 也可以在后台「导入批次」里查看。`,
      { batch: ref },
    );
  // Order and receivable files are undone from their own history (steward ledger import undo).
  if (batch.kind !== 'customers') {
    throw new DomainError(
      'CONFLICT',
      `导入批次 #${batch.id} (${batch.fileName}) 是单据导入, 不是客户导入。请用「steward ledger import undo ${batch.id}」或后台「撤销单据导入」撤销。`,
      { batch: batch.id, kind: batch.kind },
    );
  }
  if (batch.status === 'undone') {
    throw new DomainError(
      'CONFLICT',
      `导入批次 #${batch.id} (${batch.fileName}) 已于 ${batch.undoneAt?.toISOString().slice(0, 16).replace('T', ' ')} 由 ${batch.undoneBy} 撤销过, 无需再撤销。`,
      { batch: batch.id },
    );
  }
  return batch;
}

/** Customer ids among `ids` that orders, receivables, reservations or approvals refer to, with why. */
async function usedCustomers(core: Core, ids: number[], t: Transaction): Promise<Map<number, string>> {
  const { SalesOrder, Receivable, Reservation, ApprovalRequest } = core.models;
  const used = new Map<number, string>();
  const tables = [
    [SalesOrder, '已有订单'],
    [Receivable, '已有应收款'],
    [Reservation, '已有库存预留'],
    [ApprovalRequest, '有删除审批记录'],
  ] as const;
  for (const part of chunks(ids)) {
    for (const [model, why] of tables) {
      const rows = await (model as typeof SalesOrder).findAll({
        where: { customerId: { [Op.in]: part } },
        attributes: ['customerId'],
        group: ['customerId'],
        transaction: t,
      });
      for (const r of rows) if (!used.has(r.customerId)) used.set(r.customerId, why);
    }
  }
  return used;
}

/** Stored columns (encrypted) to the plain fields the audit trail records. */
function plainFields(core: Core, stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored)) {
    if (k === 'phoneEnc') out.phone = decrypt(core.keys, v as string | null);
    else if (k === 'addressEnc') out.address = decrypt(core.keys, v as string | null);
    else if (k !== 'phoneHash' && k !== 'nameNorm') out[k] = v;
  }
  return out;
}

async function loadCustomers(core: Core, ids: number[], t: Transaction): Promise<Map<number, Customer>> {
  const out = new Map<number, Customer>();
  for (const part of chunks(ids)) {
    for (const c of await core.models.Customer.findAll({
      where: { id: { [Op.in]: part } },
      transaction: t,
      lock: t.LOCK.UPDATE,
    }))
      out.set(c.id, c);
  }
  return out;
}

/** What undoing the rows collects: customers to remove and audit events, written at the end. */
interface UndoWork {
  core: Core;
  t: Transaction;
  remove: number[];
  audit: AuditInput[];
  info: { via: string; batch: number };
}

/** A created customer is queued for removal unless deleted, edited or used since; else why not. */
function undoCreated(w: UndoWork, r: ImportRow, c: Customer, used: Map<number, string>): string | undefined {
  const why = isDeleted(c.status)
    ? '已被删除 (在回收站里)'
    : c.version !== r.versionAfter
      ? '导入后又被修改过'
      : used.get(c.id);
  if (why) return why;
  w.remove.push(c.id);
  w.audit.push({
    action: 'customer.import-undo',
    customerId: c.id,
    customerCode: c.code,
    before: { code: c.code, name: c.name, status: c.status },
    after: null,
    info: w.info,
  });
  return undefined;
}

/** An updated customer gets its fields from before the import back, unless changed since; else why not. */
async function undoUpdated(w: UndoWork, r: ImportRow, c: Customer): Promise<string | undefined> {
  if (c.version !== r.versionAfter || isDeleted(c.status))
    return isDeleted(c.status) ? '已被删除 (在回收站里)' : '导入后又被修改过';
  const { core, t } = w;
  const before = JSON.parse(r.before ?? '{}') as Record<string, unknown>;
  const now = plainFields(core, Object.fromEntries(Object.keys(before).map((k) => [k, c.get(k as 'name')])));
  await c.update({ ...before, version: c.version + 1 }, { transaction: t });
  w.audit.push({
    action: 'customer.edit',
    customerId: c.id,
    customerCode: c.code,
    before: now,
    after: plainFields(core, before),
    info: w.info,
  });
  return undefined;
}

/**
 * Undoes an import batch: removes the customers it created (if untouched since) and restores the
 * fields it updated (if untouched since). Anything touched since is listed and left alone.
 */
export async function undoImport(core: Core, actor: Actor, batchRef: string): Promise<UndoReport> {
  assertCan(actor.operator, 'import');
  return withTransaction(core.models.sequelize, async (t) => {
    const batch = await findBatch(core, batchRef, t);
    const rows = await core.models.ImportRow.findAll({
      where: { batchId: batch.id, outcome: { [Op.in]: ['created', 'updated'] } },
      order: [['rowNo', 'ASC']],
      transaction: t,
    });
    const customers = await loadCustomers(core, rows.map((r) => r.customerId!).filter(Boolean), t);
    const used = await usedCustomers(
      core,
      rows.filter((r) => r.outcome === 'created' && r.customerId).map((r) => r.customerId!),
      t,
    );
    const report: UndoReport = {
      batchId: String(batch.id),
      fileName: batch.fileName,
      removed: 0,
      restored: 0,
      touched: [],
    };
    const remove: number[] = [];
    const audit: AuditInput[] = [];
    const work: UndoWork = { core, t, remove, audit, info: { via: 'import-undo', batch: batch.id } };
    for (const r of rows) {
      const c = customers.get(r.customerId ?? -1);
      const why = !c
        ? '已不存在'
        : r.outcome === 'created'
          ? undoCreated(work, r, c, used)
          : await undoUpdated(work, r, c);
      if (why) report.touched.push({ row: r.rowNo, code: r.customerCode ?? '', reason: why });
      else if (r.outcome !== 'created') report.restored++;
    }
    for (const part of chunks(remove))
      await core.models.Customer.destroy({ where: { id: { [Op.in]: part } }, transaction: t });
    report.removed = remove.length;
    await batch.update(
      { status: 'undone', undoneAt: core.now(), undoneBy: actor.operator.displayName },
      { transaction: t },
    );
    await appendAuditMany(core, t, actor, audit);
    return report;
  });
}

import { Op, type Transaction } from 'sequelize';
import type { ImportOutcome } from '../../models/index.js';
import { appendAuditMany, type AuditInput } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { storedFields } from '../customers/create.js';
import { normalizeName } from '../text.js';
import { reserveCustomerCodes } from './codes-batch.js';
import type { PlannedRow } from './plan.js';
import type { Progress } from './source.js';
import { insertRows } from './sql.js';

export interface BatchMeta {
  fileName: string;
  sha256: string;
  sheet: string | null;
  partial: boolean;
  skipped: number;
}

/** The stored row of a new customer. */
function newCustomer(core: Core, r: PlannedRow, code: string, now: Date): Record<string, unknown> {
  const inactive = r.status === 'inactive';
  return {
    code, ...storedFields(core, r.input), name: r.input.name, nameNorm: normalizeName(r.input.name!), ownerId: r.ownerId ?? null,
    status: inactive ? 'inactive' : 'active', deactivationReason: inactive ? '其他' : null, deactivationMemo: inactive ? '导入时即为停用' : null,
    deactivatedAt: inactive ? now : null, version: 1, createdAt: now, updatedAt: now,
  };
}

/** Inserts the new customers 1000 rows per INSERT (encrypting chunk by chunk, to keep memory flat); returns code → id. */
async function insertCreates(core: Core, t: Transaction, rows: PlannedRow[], codes: string[], onProgress?: (p: Progress) => void): Promise<Map<string, number>> {
  const now = core.now();
  const ids = new Map<string, number>();
  for (let i = 0; i < rows.length; i += 1000) {
    const part = codes.slice(i, i + 1000);
    await insertRows(core.models.Customer, rows.slice(i, i + 1000).map((r, j) => newCustomer(core, r, part[j]!, now)), { transaction: t, chunk: 1000 });
    for (const c of await core.models.Customer.findAll({ where: { code: { [Op.in]: part } }, attributes: ['id', 'code'], transaction: t })) ids.set(c.code, c.id);
    onProgress?.({ phase: 'write', done: Math.min(i + 1000, rows.length), total: rows.length });
  }
  return ids;
}

/** Applies updates as one upsert per chunk (keyed on id), each row carrying its full current values. */
async function applyUpdates(core: Core, t: Transaction, rows: PlannedRow[]): Promise<void> {
  const now = core.now();
  const keys = new Set<string>(['version', 'updatedAt']);
  const values = rows.map((r) => {
    const c = r.existing!;
    for (const k of Object.keys(r.changes)) keys.add(k);
    return { ...c.get({ plain: true }), ...r.changes, version: c.version + 1, updatedAt: now };
  });
  await insertRows(core.models.Customer, values, { transaction: t, chunk: 500, updateOnDuplicate: [...keys], upsertKeys: ['id'] });
}

/**
 * The audit trail: one `customer.import` event per 1000 created customers, listing each one's id,
 * code and row (the values are in the customers and import_rows tables; 100k separate events cost
 * more than the import itself), and one `customer.edit` event per updated customer with its diff.
 */
function* auditInputs(batchId: number, sha256: string, creates: PlannedRow[], codes: string[], ids: Map<string, number>, updates: PlannedRow[]): Generator<AuditInput> {
  for (let i = 0; i < creates.length; i += 1000) {
    const created = creates.slice(i, i + 1000).map((r, j) => ({ id: ids.get(codes[i + j]!) ?? null, code: codes[i + j]!, row: r.rowNo }));
    yield { action: 'customer.import', before: null, after: { created }, info: { via: 'import', batch: batchId, file: sha256, part: i / 1000 + 1, count: created.length } };
  }
  for (const r of updates) {
    const pick = (side: 0 | 1) => Object.fromEntries(Object.entries(r.diff).map(([k, pair]) => [k, pair[side]]));
    yield { action: 'customer.edit', customerId: r.existing!.id, customerCode: r.existing!.code, before: pick(0), after: pick(1), info: { via: 'import', batch: batchId, row: r.rowNo } };
  }
}

function outcome(r: PlannedRow): ImportOutcome {
  return r.action === 'create' ? 'created' : r.action === 'update' ? 'updated' : r.action === 'unchanged' ? 'unchanged' : 'error';
}

/**
 * Writes a planned import inside `t`: the batch, new customers (auto codes reserved in one go),
 * updates, the per-row outcomes and, last, the audit events. Returns the batch id.
 */
export async function writeImport(core: Core, actor: Actor, t: Transaction, plan: PlannedRow[], meta: BatchMeta, onProgress?: (p: Progress) => void): Promise<number> {
  const creates = plan.filter((r) => r.action === 'create');
  const updates = plan.filter((r) => r.action === 'update');
  const count = (a: PlannedRow['action']) => plan.filter((r) => r.action === a).length;
  const batch = await core.models.ImportBatch.create({
    fileName: meta.fileName.slice(0, 255), sha256: meta.sha256, sheet: meta.sheet, operatorId: actor.operator.id ?? null, operatorName: actor.operator.displayName,
    door: actor.door, mode: meta.partial ? 'partial' : 'all', totalRows: plan.length, createdCount: creates.length, updatedCount: updates.length,
    unchangedCount: count('unchanged'), skippedCount: meta.skipped, errorCount: count('error'), createdAt: core.now(), undoneAt: null, undoneBy: null,
  }, { transaction: t });
  const manual = new Set(plan.map((r) => r.code).filter((c): c is string => Boolean(c)));
  const auto = await reserveCustomerCodes(core, t, creates.filter((r) => !r.code).length, manual);
  let next = 0;
  const codes = creates.map((r) => r.code ?? auto[next++]!);
  const ids = await insertCreates(core, t, creates, codes, onProgress);
  await applyUpdates(core, t, updates);
  const codeOf = new Map(creates.map((r, i) => [r, codes[i]!]));
  await insertRows(core.models.ImportRow, plan.map((r) => {
    const code = codeOf.get(r) ?? r.existing?.code ?? r.code;
    const updated = r.action === 'update';
    return {
      batchId: batch.id, rowNo: r.rowNo, outcome: outcome(r), customerId: code ? ids.get(code) ?? r.existing?.id ?? null : null, customerCode: code ?? null,
      versionAfter: r.action === 'create' ? 1 : updated ? r.existing!.version + 1 : null,
      before: updated ? JSON.stringify(Object.fromEntries(Object.keys(r.changes).map((k) => [k, r.existing!.get(k as 'name') ?? null]))) : null,
      message: r.errors.length ? r.errors.map((e) => `${e.column}: ${e.message}`).join('; ').slice(0, 1000) : null,
    };
  }), { transaction: t, chunk: 1000 });
  await appendAuditMany(core, t, actor, auditInputs(batch.id, meta.sha256, creates, codes, ids, updates));
  return batch.id;
}

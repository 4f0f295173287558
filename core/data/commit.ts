import type { Transaction } from 'sequelize';
import type { ImportOutcome } from '../../models/index.js';
import { appendAuditMany, type AuditInput } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { blindIndex, encrypt } from '../privacy.js';
import { normalizePhone } from '../text.js';
import type { CodeBlock } from './codes-batch.js';
import type { PlannedRow } from './plan.js';
import { execMysql, insertRows, isMysql, mysqlInsertValues, selectRows, type WriteResult } from './sql.js';

export interface BatchMeta {
  fileName: string;
  sha256: string;
  sheet: string | null;
  partial: boolean;
}

/** What the batch row records once the whole file is through. */
export interface BatchCounts {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errors: number;
}

const CUSTOMER_COLUMNS = ['code', 'name', 'name_norm', 'contact', 'phone_enc', 'phone_hash', 'address_enc', 'category', 'owner_id', 'status', 'deactivation_reason', 'deactivation_memo', 'deactivated_at', 'note', 'version', 'created_at', 'updated_at'];
const ROW_COLUMNS = ['batch_id', 'row_no', 'outcome', 'customer_id', 'customer_code', 'version_after', 'before', 'message'];

function outcome(r: PlannedRow): ImportOutcome {
  return r.action === 'create' ? 'created' : r.action === 'update' ? 'updated' : r.action === 'unchanged' ? 'unchanged' : 'error';
}

/**
 * Writes a planned import inside one transaction, a chunk at a time as the file is read: the
 * batch row, new customers (multi-row INSERTs), updates, the per-row outcomes and, at the end,
 * the audit events. It keeps only what the audit trail needs of each created customer.
 */
export class ImportWriter {
  /** Customers this import created: ids (for the duplicate check), and id/code/row for the audit. */
  readonly own = new Set<number>();
  private readonly created: { id: number; code: string; row: number }[] = [];
  private readonly autoCodes = new Map<string, number>();
  private readonly edits: AuditInput[] = [];
  private batchId: number | null = null;
  private pending: Promise<unknown>[] = [];

  constructor(private readonly core: Core, private readonly actor: Actor, private readonly t: Transaction, private readonly meta: BatchMeta) {}

  /** The batch row, made at the first write; its counts are filled in by `finish`. */
  private async batch(): Promise<number> {
    if (this.batchId !== null) return this.batchId;
    const { actor, meta } = this;
    const batch = await this.core.models.ImportBatch.create({
      fileName: meta.fileName.slice(0, 255), sha256: meta.sha256, sheet: meta.sheet, operatorId: actor.operator.id ?? null, operatorName: actor.operator.displayName,
      door: actor.door, mode: meta.partial ? 'partial' : 'all', totalRows: 0, createdCount: 0, updatedCount: 0, unchangedCount: 0, skippedCount: 0, errorCount: 0,
      createdAt: this.core.now(), undoneAt: null, undoneBy: null,
    }, { transaction: this.t });
    this.batchId = batch.id;
    return batch.id;
  }

  /** The stored columns of a new customer, in CUSTOMER_COLUMNS order (phone and address encrypted here). */
  private customerValues(r: PlannedRow, code: string, now: Date): unknown[] {
    const { input } = r;
    const inactive = r.status === 'inactive';
    const phone = input.phone ?? null;
    const hash = phone === null ? null : normalizePhone(phone) === phone ? r.phoneHash : blindIndex(this.core.keys, phone);
    return [
      code, input.name, r.nameNorm, input.contact ?? null, encrypt(this.core.keys, phone), hash, encrypt(this.core.keys, input.address), input.category ?? null, r.ownerId ?? null,
      inactive ? 'inactive' : 'active', inactive ? '其他' : null, inactive ? '导入时即为停用' : null, inactive ? now : null, input.note ?? null, 1, now, now,
    ];
  }

  /** Inserts new customers with one multi-row INSERT; `auto` marks codes the sequence handed out. */
  async create(rows: PlannedRow[], codes: string[], auto: boolean): Promise<void> {
    if (!rows.length) return;
    await this.batch();
    const now = this.core.now();
    const values = rows.map((r, i) => this.customerValues(r, codes[i]!, now));
    let ids: number[];
    if (isMysql(this.core.models.sequelize)) {
      const insert = execMysql(this.t, mysqlInsertValues('customers', CUSTOMER_COLUMNS, values));
      // Sent right behind the INSERT, so checking the ids costs no extra wait.
      const ends = selectRows<{ id: number; code: string }>(this.core.models.sequelize, 'SELECT id, code FROM customers WHERE code IN (?)', [[codes[0], codes[codes.length - 1]]], this.t);
      ends.catch(() => undefined);
      ids = await this.insertedIds(await insert, await ends, codes);
    } else {
      await insertRows(this.core.models.Customer as never, values.map((v) => Object.fromEntries(CUSTOMER_COLUMNS.map((c, i) => [c, v[i]]))), { transaction: this.t, chunk: 500 });
      ids = await this.idsByCode(codes);
    }
    rows.forEach((r, i) => {
      r.code = codes[i]!;
      r.existing = null;
      r.customerId = ids[i]!;
      this.own.add(ids[i]!);
      if (auto) this.autoCodes.set(codes[i]!, this.created.length);
      this.created.push({ id: ids[i]!, code: codes[i]!, row: r.rowNo });
    });
  }

  /**
   * Ids of a multi-row INSERT: InnoDB numbers its rows in order, so when the first and the last
   * row got insertId and insertId + n - 1, the rows between hold the ids between (true with the
   * default consecutive auto-increment locking); else they are looked up by code.
   */
  private async insertedIds(result: WriteResult, ends: { id: number; code: string }[], codes: string[]): Promise<number[]> {
    const first = Number(result.insertId);
    const byCode = new Map(ends.map((e) => [e.code, Number(e.id)]));
    if (result.affectedRows === codes.length && byCode.get(codes[0]!) === first && byCode.get(codes[codes.length - 1]!) === first + codes.length - 1) {
      return codes.map((_c, i) => first + i);
    }
    return this.idsByCode(codes);
  }

  private async idsByCode(codes: string[]): Promise<number[]> {
    const rows = await selectRows<{ id: number; code: string }>(this.core.models.sequelize, 'SELECT id, code FROM customers WHERE code IN (?)', [codes], this.t);
    const byCode = new Map(rows.map((r) => [r.code, Number(r.id)]));
    return codes.map((c) => byCode.get(c)!);
  }

  /** Applies updates as one upsert per chunk (keyed on id), each row carrying its full current values. */
  async update(rows: PlannedRow[]): Promise<void> {
    if (!rows.length) return;
    await this.batch();
    const now = this.core.now();
    const keys = new Set<string>(['version', 'updatedAt']);
    const values = rows.map((r) => {
      const c = r.existing!;
      for (const k of Object.keys(r.changes)) keys.add(k);
      const pick = (side: 0 | 1) => Object.fromEntries(Object.entries(r.diff).map(([k, pair]) => [k, pair[side]]));
      this.edits.push({ action: 'customer.edit', customerId: c.id, customerCode: c.code, before: pick(0), after: pick(1), info: { via: 'import', batch: this.batchId, row: r.rowNo } });
      return { ...c.get({ plain: true }), ...r.changes, version: c.version + 1, updatedAt: now };
    });
    await insertRows(this.core.models.Customer as never, values, { transaction: this.t, chunk: 500, updateOnDuplicate: [...keys], upsertKeys: ['id'] });
  }

  /**
   * Records each row's outcome (import_rows), which undo and the customer's history read. The
   * INSERT is queued, not awaited: nothing else waits for it, and `settle` collects the result.
   */
  async outcomes(rows: PlannedRow[]): Promise<void> {
    if (!rows.length) return;
    const batchId = await this.batch();
    const values = rows.map((r) => {
      const updated = r.action === 'update';
      const id = r.customerId ?? r.existing?.id ?? null;
      return [
        batchId, r.rowNo, outcome(r), id, r.code ?? r.existing?.code ?? null, r.action === 'create' ? 1 : updated ? r.existing!.version + 1 : null,
        updated ? JSON.stringify(Object.fromEntries(Object.keys(r.changes).map((k) => [k, r.existing!.get(k as 'name') ?? null]))) : null,
        r.errors.length ? r.errors.map((e) => `${e.column}: ${e.message}`).join('; ').slice(0, 1000) : null,
      ];
    });
    const write = isMysql(this.core.models.sequelize)
      ? execMysql(this.t, mysqlInsertValues('import_rows', ROW_COLUMNS, values))
      : insertRows(this.core.models.ImportRow as never, values.map((v) => Object.fromEntries(ROW_COLUMNS.map((c, i) => [c, v[i]]))), { transaction: this.t, chunk: 500 });
    write.catch(() => undefined);
    this.pending.push(write);
  }

  /** Waits for the queued writes; throws the first that failed. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }

  /**
   * Codes typed in the file that this import already handed out automatically (typed rows are
   * planned last): those customers get the next free automatic code instead, as if the typed
   * codes had been skipped from the start.
   */
  async giveWay(typed: ReadonlySet<string>, codes: CodeBlock): Promise<void> {
    const clash = [...typed].filter((c) => this.autoCodes.has(c));
    if (!clash.length) return;
    await this.settle();
    const fresh = await codes.take(clash.length);
    const { sequelize } = this.core.models;
    for (const [i, old] of clash.entries()) {
      const entry = this.created[this.autoCodes.get(old)!]!;
      entry.code = fresh[i]!;
      await sequelize.query('UPDATE customers SET code = ? WHERE id = ?', { replacements: [entry.code, entry.id], transaction: this.t });
      await sequelize.query('UPDATE import_rows SET customer_code = ? WHERE batch_id = ? AND customer_id = ?', { replacements: [entry.code, this.batchId, entry.id], transaction: this.t });
    }
  }

  /** Fills in the batch's counts and appends the audit events, the transaction's last write. */
  async finish(counts: BatchCounts): Promise<number> {
    await this.settle();
    const batchId = await this.batch();
    await this.core.models.ImportBatch.update({
      totalRows: counts.total, createdCount: counts.created, updatedCount: counts.updated, unchangedCount: counts.unchanged, skippedCount: counts.skipped, errorCount: counts.errors,
    }, { where: { id: batchId }, transaction: this.t });
    await appendAuditMany(this.core, this.t, this.actor, this.auditInputs(batchId));
    return batchId;
  }

  /**
   * One `customer.import` event per 1000 created customers, listing each one's id, code and row
   * (the values are in the customers and import_rows tables; 100k separate events cost more than
   * the import itself), and one `customer.edit` event per updated customer with its diff.
   */
  private *auditInputs(batchId: number): Generator<AuditInput> {
    for (let i = 0; i < this.created.length; i += 1000) {
      const created = this.created.slice(i, i + 1000);
      yield { action: 'customer.import', before: null, after: { created }, info: { via: 'import', batch: batchId, file: this.meta.sha256, part: i / 1000 + 1, count: created.length } };
    }
    yield* this.edits;
  }
}

import mysql from 'mysql2';
import type { Transaction } from 'sequelize';
import type { ImportOutcome } from '../../models/index.js';
import { appendAuditMany, type AuditInput } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { blindIndex, encrypt } from '../privacy.js';
import { normalizePhone } from '../text.js';
import type { CodeBlock } from './codes-batch.js';
import type { PlannedRow } from './plan.js';
import { chunks, execMysql, insertRows, isMysql, mysqlInsertValues, selectRows, type WriteResult } from './sql.js';

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
  private strictMode: boolean | null = null;

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

  /**
   * The stored columns of new customers, in CUSTOMER_COLUMNS order, phone and address encrypted;
   * the code (first column) is filled in by `create`, so this can run before codes are handed out.
   */
  prepare(rows: PlannedRow[]): unknown[][] {
    const now = this.core.now();
    return rows.map((r) => {
      const { input } = r;
      const inactive = r.status === 'inactive';
      const phone = input.phone ?? null;
      const hash = phone === null ? null : normalizePhone(phone) === phone ? r.phoneHash : blindIndex(this.core.keys, phone);
      return [
        null, input.name, r.nameNorm, input.contact ?? null, encrypt(this.core.keys, phone), hash, encrypt(this.core.keys, input.address), input.category ?? null, r.ownerId ?? null,
        inactive ? 'inactive' : 'active', inactive ? '其他' : null, inactive ? '导入时即为停用' : null, inactive ? now : null, input.note ?? null, 1, now, now,
      ];
    });
  }

  /**
   * Writes one chunk: its new customers (`values` from `prepare`, with their `codes`), its updates
   * and every row's outcome (import_rows, which undo and the customer's history read). On MySQL a
   * chunk without updates goes out as three statements sent back to back, none waiting for the
   * previous one's answer: the customers' INSERT; a SET that notes its first id and the batch id;
   * the outcomes, which take both from those variables. The batch id is also the guard: should
   * the INSERT end the transaction (a deadlock), the batch row is gone, batch_id is NULL and strict
   * mode refuses the outcomes instead of committing them on their own. If the ids turn out not to
   * be consecutive, the outcomes are corrected by code. Outcomes are queued; `settle` collects them.
   */
  async chunk(planned: PlannedRow[], creates: PlannedRow[], values: unknown[][], codes: string[], auto: boolean): Promise<void> {
    const batchId = await this.batch();
    values.forEach((v, i) => {
      v[0] = codes[i];
    });
    creates.forEach((r, i) => {
      r.code = codes[i]!;
    });
    const updates = planned.filter((r) => r.action === 'update');
    const mysqlPath = isMysql(this.core.models.sequelize);
    if (mysqlPath && !updates.length && (await this.strict())) {
      const insertSql = creates.length ? mysqlInsertValues('customers', CUSTOMER_COLUMNS, values) : null;
      const rowsSql = mysqlInsertValues('import_rows', ROW_COLUMNS, this.outcomeValues(planned, batchId, true));
      // One write in flight at a time (these count as one): nothing may follow a failed one.
      await this.settle();
      const insert = insertSql ? execMysql(this.t, insertSql) : null;
      const ends = insert ? this.ends(codes) : null;
      this.queue(execMysql(this.t, `SET @steward_import_batch = (SELECT id FROM import_batches WHERE id = ${batchId}), @steward_import_first = LAST_INSERT_ID()`));
      this.queue(execMysql(this.t, rowsSql));
      if (!insert) return;
      const result = await insert;
      const ids = await this.insertedIds(result, await ends!, codes);
      this.remember(creates, ids, auto);
      if (ids[0] !== Number(result.insertId) || ids[ids.length - 1] !== Number(result.insertId) + ids.length - 1) await this.fixOutcomeIds(batchId, codes);
      return;
    }
    await this.settle();
    if (creates.length) {
      if (mysqlPath) {
        const insert = execMysql(this.t, mysqlInsertValues('customers', CUSTOMER_COLUMNS, values));
        const ends = this.ends(codes);
        this.remember(creates, await this.insertedIds(await insert, await ends, codes), auto);
      } else {
        await insertRows(this.core.models.Customer as never, values.map((v) => Object.fromEntries(CUSTOMER_COLUMNS.map((c, i) => [c, v[i]]))), { transaction: this.t, chunk: 500 });
        this.remember(creates, await this.idsByCode(codes), auto);
      }
    }
    await this.update(updates);
    const rows = this.outcomeValues(planned, batchId, false);
    this.queue(mysqlPath
      ? execMysql(this.t, mysqlInsertValues('import_rows', ROW_COLUMNS, rows))
      : insertRows(this.core.models.ImportRow as never, rows.map((v) => Object.fromEntries(ROW_COLUMNS.map((c, i) => [c, v[i]]))), { transaction: this.t, chunk: 500 }));
  }

  /** Sets import_rows.customer_id by code, for a chunk whose new ids were not consecutive. */
  private async fixOutcomeIds(batchId: number, codes: string[]): Promise<void> {
    await this.settle();
    for (const part of chunks(codes)) {
      await this.core.models.sequelize.query('UPDATE import_rows r JOIN customers c ON c.code = r.customer_code SET r.customer_id = c.id WHERE r.batch_id = ? AND r.customer_code IN (?)', { replacements: [batchId, part], transaction: this.t });
    }
  }

  /** Whether MySQL refuses a NULL in a NOT NULL column (the guard `chunk` relies on). */
  private async strict(): Promise<boolean> {
    if (this.strictMode === null) {
      const [row] = await selectRows<{ mode: string }>(this.core.models.sequelize, 'SELECT @@SESSION.sql_mode AS mode', [], this.t);
      this.strictMode = /STRICT_(TRANS|ALL)_TABLES/.test(row?.mode ?? '');
    }
    return this.strictMode;
  }

  /** The ids of the first and last code, sent right behind the INSERT so checking costs no extra wait. */
  private ends(codes: string[]): Promise<{ id: number; code: string }[]> {
    const ends = selectRows<{ id: number; code: string }>(this.core.models.sequelize, 'SELECT id, code FROM customers WHERE code IN (?)', [[codes[0], codes[codes.length - 1]]], this.t);
    ends.catch(() => undefined);
    return ends;
  }

  private remember(creates: PlannedRow[], ids: number[], auto: boolean): void {
    creates.forEach((r, i) => {
      r.existing = null;
      r.customerId = ids[i]!;
      this.own.add(ids[i]!);
      if (auto) this.autoCodes.set(r.code!, this.created.length);
      this.created.push({ id: ids[i]!, code: r.code!, row: r.rowNo });
    });
  }

  private queue(write: Promise<unknown>): void {
    write.catch(() => undefined);
    this.pending.push(write);
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
    const byCode = new Map<string, number>();
    for (const part of chunks(codes)) {
      for (const r of await selectRows<{ id: number; code: string }>(this.core.models.sequelize, 'SELECT id, code FROM customers WHERE code IN (?)', [part], this.t)) byCode.set(r.code, Number(r.id));
    }
    return codes.map((c) => byCode.get(c)!);
  }

  /** Applies updates as one upsert per chunk (keyed on id), each row carrying its full current values. */
  private async update(rows: PlannedRow[]): Promise<void> {
    if (!rows.length) return;
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

  /** import_rows values in ROW_COLUMNS order; `fromVariables`: the batch and new ids from the SET that `chunk` sends before. */
  private outcomeValues(rows: PlannedRow[], batchId: number, fromVariables: boolean): unknown[][] {
    const batch = fromVariables ? mysql.raw('@steward_import_batch') : batchId;
    let nth = 0;
    return rows.map((r) => {
      const created = r.action === 'create';
      const updated = r.action === 'update';
      const id = created && fromVariables ? mysql.raw(`@steward_import_first + ${nth++}`) : r.customerId ?? r.existing?.id ?? null;
      return [
        batch, r.rowNo, outcome(r), id, r.code ?? r.existing?.code ?? null, created ? 1 : updated ? r.existing!.version + 1 : null,
        updated ? JSON.stringify(Object.fromEntries(Object.keys(r.changes).map((k) => [k, r.existing!.get(k as 'name') ?? null]))) : null,
        r.errors.length ? r.errors.map((e) => `${e.column}: ${e.message}`).join('; ').slice(0, 1000) : null,
      ];
    });
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

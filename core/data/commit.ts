import type { Transaction } from 'sequelize';
import { appendAuditMany, type AuditInput } from '../audit.js';
import type { Actor, Core } from '../context.js';
import type { CodeBlock } from './codes-batch.js';
import type { PlannedRow } from './plan.js';
import { chunks, execMysql, insertRows, isMysql, letIoIn, mysqlInsertValues, selectRows } from './sql.js';
import { CUSTOMER_COLUMNS, newCustomerValues, outcome, ROW_COLUMNS } from './import-columns.js';

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
  private consecutive: boolean | null = null;

  constructor(
    private readonly core: Core,
    private readonly actor: Actor,
    private readonly t: Transaction,
    private readonly meta: BatchMeta,
  ) {}

  /** The batch row, made at the first write; its counts are filled in by `finish`. */
  private async batch(): Promise<number> {
    if (this.batchId !== null) return this.batchId;
    const { actor, meta } = this;
    const batch = await this.core.models.ImportBatch.create(
      {
        fileName: meta.fileName.slice(0, 255),
        sha256: meta.sha256,
        sheet: meta.sheet,
        operatorId: actor.operator.id ?? null,
        operatorName: actor.operator.displayName,
        door: actor.door,
        mode: meta.partial ? 'partial' : 'all',
        totalRows: 0,
        createdCount: 0,
        updatedCount: 0,
        unchangedCount: 0,
        skippedCount: 0,
        errorCount: 0,
        createdAt: this.core.now(),
        undoneAt: null,
        undoneBy: null,
      },
      { transaction: this.t },
    );
    this.batchId = batch.id;
    return batch.id;
  }

  /**
   * The stored columns of new customers, in CUSTOMER_COLUMNS order, phone and address encrypted;
   * the code (first column) is filled in by `create`, so this can run before codes are handed out.
   */
  async prepare(rows: PlannedRow[]): Promise<unknown[][]> {
    const now = this.core.now();
    const out: unknown[][] = [];
    for (const [i, r] of rows.entries()) {
      if (i % 100 === 99) await letIoIn();
      out.push(newCustomerValues(this.core, r, now));
    }
    return out;
  }

  /**
   * Writes one chunk: its new customers (`values` from `prepare`, with their `codes`), its updates
   * and every row's outcome (import_rows, which undo and the customer's history read). The
   * outcomes are sent only once the customers' INSERT has succeeded (they need its ids), and are
   * queued: the next chunk's INSERT waits for them in `settle`, so nothing follows a failed write.
   * mysql2 sends one statement per answer, so each statement here is one round trip; a chunk
   * without updates takes two.
   */
  async chunk(
    planned: PlannedRow[],
    creates: PlannedRow[],
    values: unknown[][],
    codes: string[],
    auto: boolean,
  ): Promise<void> {
    const batchId = await this.batch();
    values.forEach((v, i) => {
      v[0] = codes[i];
    });
    creates.forEach((r, i) => {
      r.code = codes[i]!;
    });
    await this.settle();
    if (creates.length) this.remember(creates, await this.insertCustomers(values, codes), auto);
    await this.update(planned.filter((r) => r.action === 'update'));
    const rows = this.outcomeValues(planned, batchId);
    this.queue(
      isMysql(this.core.models.sequelize)
        ? execMysql(this.t, mysqlInsertValues('import_rows', ROW_COLUMNS, rows))
        : insertRows(
            this.core.models.ImportRow as never,
            rows.map((v) => Object.fromEntries(ROW_COLUMNS.map((c, i) => [c, v[i]]))),
            { transaction: this.t, chunk: 500 },
          ),
    );
  }

  /** Inserts new customers (one multi-row INSERT on MySQL) and returns their ids, in order. */
  private async insertCustomers(values: unknown[][], codes: string[]): Promise<number[]> {
    if (!isMysql(this.core.models.sequelize)) {
      await insertRows(
        this.core.models.Customer as never,
        values.map((v) => Object.fromEntries(CUSTOMER_COLUMNS.map((c, i) => [c, v[i]]))),
        { transaction: this.t, chunk: 500 },
      );
      return this.idsByCode(codes);
    }
    const result = await execMysql(this.t, mysqlInsertValues('customers', CUSTOMER_COLUMNS, values));
    const first = Number(result.insertId);
    if (result.affectedRows === codes.length && (await this.consecutiveIds())) return codes.map((_c, i) => first + i);
    return this.idsByCode(codes);
  }

  /**
   * Whether a multi-row INSERT's ids are insertId, insertId + 1, …: InnoDB guarantees it for
   * inserts whose row count is known when auto-increment locking is "traditional" or
   * "consecutive" (modes 0 and 1; MariaDB's default) and the increment is 1. Otherwise (mode 2,
   * or Galera's increments) ids are looked up by code.
   */
  private async consecutiveIds(): Promise<boolean> {
    if (this.consecutive === null) {
      const [row] = await selectRows<{ mode: number; step: number }>(
        this.core.models.sequelize,
        'SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step',
        [],
        this.t,
      );
      this.consecutive = Number(row?.mode) <= 1 && Number(row?.step) === 1;
    }
    return this.consecutive;
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

  private async idsByCode(codes: string[]): Promise<number[]> {
    const byCode = new Map<string, number>();
    for (const part of chunks(codes)) {
      for (const r of await selectRows<{ id: number; code: string }>(
        this.core.models.sequelize,
        'SELECT id, code FROM customers WHERE code IN (?)',
        [part],
        this.t,
      ))
        byCode.set(r.code, Number(r.id));
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
      this.edits.push({
        action: 'customer.edit',
        customerId: c.id,
        customerCode: c.code,
        before: pick(0),
        after: pick(1),
        info: { via: 'import', batch: this.batchId, row: r.rowNo },
      });
      return { ...c.get({ plain: true }), ...r.changes, version: c.version + 1, updatedAt: now };
    });
    await insertRows(this.core.models.Customer as never, values, {
      transaction: this.t,
      chunk: 500,
      updateOnDuplicate: [...keys],
      upsertKeys: ['id'],
    });
  }

  /** import_rows values in ROW_COLUMNS order. */
  private outcomeValues(rows: PlannedRow[], batchId: number): unknown[][] {
    return rows.map((r) => {
      const created = r.action === 'create';
      const updated = r.action === 'update';
      const id = r.customerId ?? r.existing?.id ?? null;
      return [
        batchId,
        r.rowNo,
        outcome(r),
        id,
        r.code ?? r.existing?.code ?? null,
        created ? 1 : updated ? r.existing!.version + 1 : null,
        updated
          ? JSON.stringify(
              Object.fromEntries(Object.keys(r.changes).map((k) => [k, r.existing!.get(k as 'name') ?? null])),
            )
          : null,
        r.errors.length
          ? r.errors
              .map((e) => `${e.column}: ${e.message}`)
              .join('; ')
              .slice(0, 1000)
          : null,
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
      await sequelize.query('UPDATE customers SET code = ? WHERE id = ?', {
        replacements: [entry.code, entry.id],
        transaction: this.t,
      });
      await sequelize.query('UPDATE import_rows SET customer_code = ? WHERE batch_id = ? AND customer_id = ?', {
        replacements: [entry.code, this.batchId, entry.id],
        transaction: this.t,
      });
    }
  }

  /** Fills in the batch's counts and appends the audit events, the transaction's last write. */
  async finish(counts: BatchCounts): Promise<number> {
    await this.settle();
    const batchId = await this.batch();
    await this.core.models.ImportBatch.update(
      {
        totalRows: counts.total,
        createdCount: counts.created,
        updatedCount: counts.updated,
        unchangedCount: counts.unchanged,
        skippedCount: counts.skipped,
        errorCount: counts.errors,
      },
      { where: { id: batchId }, transaction: this.t },
    );
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
      yield {
        action: 'customer.import',
        before: null,
        after: { created },
        info: { via: 'import', batch: batchId, file: this.meta.sha256, part: i / 1000 + 1, count: created.length },
      };
    }
    yield* this.edits;
  }
}

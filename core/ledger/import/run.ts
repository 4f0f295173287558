import type { Actor, Core } from '../../context.js';
import { readSource, type RawRow } from '../../data/source.js';
import { IMPORT_CHUNK, letIoIn } from '../../data/sql.js';
import { applyLedger } from '../apply.js';
import type { LedgerDoc } from '../types.js';
import { normalizeDocNumber } from '../validate.js';
import { columnLabel, type LedgerHeader } from './columns.js';
import { resolveCustomerNames } from './customers.js';
import { failReason, outcomeErrors } from './outcomes.js';
import type { LedgerImportOptions, LedgerImportReport } from './report.js';
import { LedgerSheet, type LedgerRow } from './rows.js';
import { LineMerger } from './lines.js';

const YIELD_EVERY = 100;

/**
 * The checking pass over a ledger file: rows stream from the reader (a worker thread for .xlsx),
 * are parsed, get their customer, and go to applyLedger as a dry run a chunk at a time, so the
 * report says exactly what the API would do with the same documents. The documents that would
 * change are kept for the commit; the numbers seen are kept for the snapshot.
 */
export class LedgerCheck {
  /** Normalised document number → spreadsheet row, over the whole file. */
  readonly seen = new Map<string, number>();
  /** Documents that would be created or updated, in file order, with their rows. */
  readonly changes: { rowNo: number; doc: LedgerDoc }[] = [];
  header: LedgerHeader | null = null;
  /** Folds an order-lines file's rows into orders (see lines.ts). */
  private merger: LineMerger | null = null;

  constructor(
    private readonly core: Core,
    private readonly actor: Actor,
    private readonly file: string,
    private readonly opts: LedgerImportOptions,
    private readonly report: LedgerImportReport,
  ) {}

  /** Reads and checks the whole file into the report. */
  async run(): Promise<void> {
    const { core, opts, report } = this;
    const source = await readSource(this.file, report.fileName, {
      sheet: opts.sheet,
      maxRows: core.config.IMPORT_MAX_ROWS,
      maxUnzippedMb: core.config.IMPORT_MAX_UNZIPPED_MB,
    });
    Object.assign(report, { format: source.format, sheet: source.sheet, encoding: source.encoding });
    const sheet = new LedgerSheet(opts.type ?? null, report.fileName);
    let chunk: LedgerRow[] = [];
    let read = 0;
    for await (const raw of source.rows) {
      if (++read % IMPORT_CHUNK === 0) opts.onProgress?.({ phase: 'check', done: read, total: source.total });
      if (read % YIELD_EVERY === 0) await letIoIn();
      const row = this.next(sheet, raw);
      if (!row) continue;
      chunk.push(row);
      if (chunk.length < IMPORT_CHUNK) continue;
      await this.check(chunk);
      chunk = [];
    }
    const header = sheet.finish();
    if (!this.header) this.start(header);
    const last = this.merger?.flush();
    if (last) chunk.push(last);
    await this.check(chunk);
    report.skipped = sheet.skipped;
    report.mergedLines = this.merger?.merged ?? 0;
    report.errors.sort((a, b) => a.row - b.row);
    report.failedRows.sort((a, b) => a.rowNo - b.rowNo);
    opts.onProgress?.({ phase: 'check', done: read, total: read });
  }

  /** The row a raw row completes: itself, or with an order-lines file the order it ends. */
  private next(sheet: LedgerSheet, raw: RawRow): LedgerRow | null {
    const parsed = sheet.push(raw);
    if (!this.header && sheet.header) this.start(sheet.header);
    return parsed && this.merger ? this.merger.push(parsed) : parsed;
  }

  private start(header: LedgerHeader): void {
    this.header = header;
    if (header.lines) this.merger = new LineMerger(header);
    Object.assign(this.report, { type: header.type, headerLabels: header.labels, unknownColumns: header.unknown });
  }

  /** One chunk: duplicates within the file, customers by name, then the ledger core's own dry run. */
  private async check(rows: LedgerRow[]): Promise<void> {
    if (!rows.length) return;
    const header = this.header!;
    for (const r of rows) {
      if (!r.number) continue;
      const key = normalizeDocNumber(r.number);
      const first = this.seen.get(key);
      if (first === undefined) this.seen.set(key, r.rowNo);
      else {
        r.errors.push({
          row: r.rowNo,
          column: columnLabel(header, 'number'),
          message: header.lines
            ? `单据编号「${r.number}」在第 ${first} 行已出现过, 中间隔着别的单据; 请按单据编号排序, 让同一单据的明细行挨在一起, 再导入`
            : `单据编号「${r.number}」和第 ${first} 行重复; 一个单据只能出现一次`,
        });
        r.doc = null;
      }
    }
    // Rows without a code (the file has no code column, or the cell is empty) go by the name.
    if (header.columns.customerName !== undefined)
      await resolveCustomerNames(this.core, rows, columnLabel(header, 'customerName'));
    const ready = rows.filter((r) => r.doc && !r.errors.length && r.customerCode);
    const docs = ready.map((r) => ({ ...r.doc!, customerCode: r.customerCode! }) as LedgerDoc);
    const result = docs.length
      ? await applyLedger(this.core, this.actor, docs, { source: 'file', dryRun: true })
      : { outcomes: [] };
    for (const o of result.outcomes) {
      const row = ready[o.index]!;
      if (o.result === 'error') row.errors.push(...outcomeErrors(header, row, o));
      else if (o.result === 'unchanged') this.report.unchanged++;
      else {
        this.report[o.result]++;
        this.changes.push({ rowNo: row.rowNo, doc: docs[o.index]! });
      }
    }
    for (const r of rows) {
      if (!r.errors.length) continue;
      this.report.errors.push(...r.errors);
      const reason = failReason(r.errors);
      // Every line of a refused order goes to the error report, so the fixed file imports whole.
      for (const line of [r, ...(r.lines ?? [])])
        this.report.failedRows.push({ rowNo: line.rowNo, cells: line.cells, reason });
    }
  }
}

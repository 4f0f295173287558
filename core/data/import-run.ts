import type { Transaction } from 'sequelize';
import type { Actor, Core } from '../context.js';
import { reserveCustomerCodes } from './codes-batch.js';
import { ImportWriter } from './commit.js';
import type { ImportOptions, ImportReport } from './import.js';
import { SheetParser, type ParsedRow } from './parse-rows.js';
import { ImportPlanner, markFileDuplicates, type PlannedRow } from './plan.js';
import { readSource } from './source.js';
import { chunks, IMPORT_CHUNK } from './sql.js';

const NOBODY: ReadonlySet<number> = new Set();

/**
 * One pass over an import file: rows stream from the reader through parsing, validation and
 * planning into multi-row INSERTs, a chunk at a time, while the next chunk is being read (the
 * database works on one core while the file is parsed on the other). With a transaction it
 * writes, else (dry run) it only reports. Rows that name a code wait until the whole file is
 * read: the same code twice is an error on both rows, and typed codes must not be handed out.
 */
export class ImportRun {
  private planner: ImportPlanner | null = null;
  private writer: ImportWriter | null = null;
  private readonly typed: ParsedRow[] = [];
  private readonly typedCodes = new Set<string>();
  private writing: boolean;
  private total = 0;

  constructor(private readonly core: Core, private readonly actor: Actor, private readonly file: string, private readonly opts: ImportOptions, private readonly report: ImportReport, private readonly t: Transaction | null) {
    this.writing = t !== null;
  }

  /** Reads, checks and (with a transaction) writes the whole file; true when it should commit. */
  async run(): Promise<boolean> {
    const { core, opts, report } = this;
    const source = await readSource(this.file, report.fileName, { sheet: opts.sheet, maxRows: core.config.IMPORT_MAX_ROWS, maxUnzippedMb: core.config.IMPORT_MAX_UNZIPPED_MB });
    Object.assign(report, { format: source.format, sheet: source.sheet, encoding: source.encoding });
    if (this.t) this.writer = new ImportWriter(core, this.actor, this.t, { fileName: report.fileName, sha256: report.sha256, sheet: source.sheet, partial: Boolean(opts.partial) });
    const parser = new SheetParser(core, source.merges, Boolean(opts.ignoreUnknown), report.fileName);
    const phase = this.t ? 'write' : 'check';
    let chunk: ParsedRow[] = [];
    let inflight: Promise<void> = Promise.resolve();
    let read = 0;
    try {
      for await (const raw of source.rows) {
        if (++read % IMPORT_CHUNK === 0) opts.onProgress?.({ phase, done: read, total: source.total });
        const row = parser.push(raw);
        if (!row) continue;
        this.planner ??= new ImportPlanner(core, parser.header!, this.t);
        if (row.code) {
          this.typed.push(row);
          this.typedCodes.add(row.code);
          continue;
        }
        chunk.push(row);
        if (chunk.length < IMPORT_CHUNK) continue;
        // One chunk in the database at a time; the reader goes on with the next meanwhile.
        await inflight;
        inflight = this.fresh(chunk);
        inflight.catch(() => undefined);
        chunk = [];
      }
      await inflight;
      report.skipped = parser.finish();
      report.headerLabels = parser.header!.labels;
      await this.fresh(chunk);
      await this.typedRows();
      opts.onProgress?.({ phase, done: read, total: read });
    } finally {
      await inflight.catch(() => undefined);
    }
    return this.finish();
  }

  /** Rows without a code: each is a new customer (or an error), written as soon as planned. */
  private async fresh(rows: ParsedRow[]): Promise<void> {
    if (!rows.length) return;
    const planned = await this.planner!.plan(rows);
    const creates = await this.check(planned);
    if (!this.writer || !this.writing) return;
    await this.writer.create(creates, await reserveCustomerCodes(this.core, this.t!, creates.length, this.typedCodes), true);
    await this.writer.outcomes(planned);
  }

  /** Rows with a code, once the file is read: creates with that code, or updates (locked). */
  private async typedRows(): Promise<void> {
    if (!this.typed.length) return;
    markFileDuplicates(this.typed, this.planner!.labels.code);
    if (this.writer && this.writing) await this.writer.giveWay(this.typedCodes);
    for (const part of chunks(this.typed, IMPORT_CHUNK)) {
      const planned = await this.planner!.plan(part, this.writing);
      const creates = await this.check(planned);
      if (!this.writer || !this.writing) continue;
      await this.writer.create(creates, creates.map((r) => r.code!), false);
      await this.writer.update(planned.filter((r) => r.action === 'update'));
      await this.writer.outcomes(planned);
    }
    this.typed.length = 0;
  }

  /** Counts planned rows into the report, looks up duplicate candidates; returns the rows to create. */
  private async check(planned: PlannedRow[]): Promise<PlannedRow[]> {
    const { report } = this;
    for (const r of planned) {
      if (r.action === 'create') report.created++;
      else if (r.action === 'update') report.updated++;
      else if (r.action === 'unchanged') report.unchanged++;
      else {
        report.errors.push(...r.errors);
        report.failedRows.push({ rowNo: r.rowNo, cells: r.cells, reason: r.errors.map((e) => `${e.column}: ${e.message}`).join('; ') });
      }
    }
    this.total += planned.length;
    // All or nothing: after the first error nothing more is written, and the end rolls back.
    if (report.errors.length && !this.opts.partial) this.writing = false;
    const creates = planned.filter((r) => r.action === 'create');
    await this.planner!.findDuplicates(creates, this.writer?.own ?? NOBODY);
    for (const r of creates) if (r.duplicates.length) report.duplicates.push({ row: r.rowNo, matches: r.duplicates });
    return creates;
  }

  /** Puts the report in row order and, when there is something to keep, closes the batch. */
  private async finish(): Promise<boolean> {
    const { report } = this;
    report.errors.sort((a, b) => a.row - b.row);
    report.failedRows.sort((a, b) => a.rowNo - b.rowNo);
    report.duplicates.sort((a, b) => a.row - b.row);
    if (!this.writer) return false;
    const writable = report.created + report.updated;
    if ((report.errors.length && !this.opts.partial) || (!writable && !report.unchanged)) return false;
    const counts = { total: this.total, created: report.created, updated: report.updated, unchanged: report.unchanged, skipped: report.skipped, errors: report.failedRows.length };
    report.batchId = String(await this.writer.finish(counts));
    report.committed = true;
    return true;
  }
}

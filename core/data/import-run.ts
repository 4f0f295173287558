import type { Transaction } from 'sequelize';
import type { Actor, Core } from '../context.js';
import { CodeBlock } from './codes-batch.js';
import { loadColumnMap, parseMapEntries, sourceName, toColumnMap } from './column-map.js';
import { columnLetter } from './headers.js';
import { DuplicateFinder } from './duplicates.js';
import { ImportWriter } from './commit.js';
import { ImportValueChecker, unknownValueLines } from '../lists/import-values.js';
import { LIST_KEYS } from '../lists/lookup.js';
import type { ImportOptions, ImportReport } from './import.js';
import { SheetParser, type ParsedRow } from './parse-rows.js';
import { ImportPlanner, markFileDuplicates, type PlannedRow } from './plan.js';
import { readSource } from './source.js';
import { chunks, IMPORT_CHUNK, letIoIn } from './sql.js';
import { mergedNote } from '../customers/merge/aliases.js';

const NOBODY: ReadonlySet<number> = new Set();
const YIELD_EVERY = 100;

/**
 * One pass over an import file: rows stream from the reader through parsing, validation and
 * planning into multi-row INSERTs, a chunk at a time, while the next chunk is being read (the
 * database works on one core while the file is parsed on the other). With a transaction it
 * writes, else (dry run) it only reports. Rows that name a code wait until the whole file is
 * read: the same code twice is an error on both rows, and typed codes must not be handed out.
 */
export class ImportRun {
  private planner: ImportPlanner | null = null;
  private readonly dups: DuplicateFinder;
  private writer: ImportWriter | null = null;
  private codes: CodeBlock | null = null;
  private readonly typed: ParsedRow[] = [];
  private readonly typedCodes = new Set<string>();
  private writing: boolean;
  /** Settles when the previous chunk's writes are on their way (rejects if they failed). */
  private turn: Promise<void> = Promise.resolve();
  private total = 0;
  private values: ImportValueChecker | null = null;

  constructor(
    private readonly core: Core,
    private readonly actor: Actor,
    private readonly file: string,
    private readonly opts: ImportOptions,
    private readonly report: ImportReport,
    private readonly t: Transaction | null,
  ) {
    this.writing = t !== null;
    this.dups = new DuplicateFinder(core, t);
  }

  /** Reads, checks and (with a transaction) writes the whole file; true when it should commit. */
  async run(): Promise<boolean> {
    const { core, opts, report } = this;
    // 客户分类 / 区域 are checked against one snapshot of the company's lists (and --map-value); read
    // before the file is opened, since the xlsx reader must not wait on the database once it streams.
    this.values = await ImportValueChecker.prepare(core, this.actor, opts, this.t);
    const source = await readSource(this.file, report.fileName, {
      sheet: opts.sheet,
      maxRows: core.config.IMPORT_MAX_ROWS,
      maxUnzippedMb: core.config.IMPORT_MAX_UNZIPPED_MB,
    });
    Object.assign(report, { format: source.format, sheet: source.sheet, encoding: source.encoding });
    if (this.t) this.openWriter(this.t, source.sheet);
    const parser = new SheetParser(
      core,
      source.merges,
      Boolean(opts.ignoreUnknown),
      report.fileName,
      await this.columnMap(source.sheet),
    );
    const phase = this.t ? 'write' : 'check';
    let chunk: ParsedRow[] = [];
    let older: Promise<void> = Promise.resolve();
    let inflight: Promise<void> = Promise.resolve();
    let read = 0;
    try {
      for await (const raw of source.rows) {
        if (++read % IMPORT_CHUNK === 0) opts.onProgress?.({ phase, done: read, total: source.total });
        // Let the database's answers in: the reader would otherwise run for a whole file block.
        if (read % YIELD_EVERY === 0) await letIoIn();
        const row = parser.push(raw);
        if (!row) continue;
        this.checkLists(row, parser);
        if (!this.planner) await this.startPlanning(parser, source.total);
        if (row.code) {
          this.typed.push(row);
          this.typedCodes.add(row.code);
          continue;
        }
        chunk.push(row);
        if (chunk.length < IMPORT_CHUNK) continue;
        // Two chunks on the way at most: one being written, the next prepared; the reader goes on.
        await older;
        older = inflight;
        inflight = this.fresh(chunk);
        inflight.catch(() => undefined);
        chunk = [];
      }
      await older;
      await inflight;
      report.skipped = parser.finish();
      report.headerLabels = parser.header!.labels;
      this.describe(parser);
      await this.fresh(chunk);
      await this.typedRows();
      opts.onProgress?.({ phase, done: read, total: read });
    } finally {
      // Nothing may still be running on the transaction's connection when it ends.
      await older.catch(() => undefined);
      await inflight.catch(() => undefined);
      await this.writer?.settle().catch(() => undefined);
    }
    const ok = await this.finish();
    this.describeValues();
    return ok;
  }

  /** At the first row, once the header is known: the planner, and the duplicate finder sized for the file. */
  private async startPlanning(parser: SheetParser, total: number | null): Promise<void> {
    this.planner = new ImportPlanner(this.core, parser.header!, this.t);
    // A sheet without a <dimension> may be as long as allowed.
    await this.dups.prepare(total ?? this.core.config.IMPORT_MAX_ROWS);
  }

  /** The writer and code block of a run that writes (not a dry run). */
  private openWriter(t: Transaction, sheet: string | null): void {
    const { core, opts, report } = this;
    this.writer = new ImportWriter(core, this.actor, t, {
      fileName: report.fileName,
      sha256: report.sha256,
      sheet,
      partial: Boolean(opts.partial),
    });
    this.codes = new CodeBlock(core, t, this.typedCodes, 10 * IMPORT_CHUNK);
  }

  /** A row's 客户分类 / 区域 → the entries' names; unknown values fail the row, summarised once per value. */
  private checkLists(row: ParsedRow, parser: SheetParser): void {
    const header = parser.header!;
    for (const list of LIST_KEYS) {
      const value = row.input[list];
      if (typeof value !== 'string') continue;
      const r = this.values!.check(list, value, row.rowNo);
      if ('name' in r) row.input[list] = r.name;
      else
        row.errors.push({
          row: row.rowNo,
          column: header.labels[header.columns[list]!] ?? list,
          message: r.reason,
          summarised: true,
        });
    }
  }

  /** The unknown values, once each with their row count and the fixes, at the top of the notices. */
  private describeValues(): void {
    const { report } = this;
    report.unknownValues = this.values?.values() ?? [];
    report.notices.unshift(...unknownValueLines(report.unknownValues, { committed: report.committed }));
  }

  /** The user's column mapping: the one saved for this source, overridden by --map-column. */
  private async columnMap(sheet: string | null) {
    const { report, opts } = this;
    report.columnSource = sourceName(opts.source, sheet, report.fileName);
    const saved = await loadColumnMap(this.core, report.columnSource, this.t);
    report.columnMap = { ...saved, ...parseMapEntries(opts.mapColumns ?? []) };
    if (Object.keys(saved).length) {
      report.notices.push(
        `按来源「${report.columnSource}」保存的列对应关系读取: ${Object.entries(saved)
          .map(([h, f]) => `${h}=${f}`)
          .join('、')}`,
      );
    }
    return Object.keys(report.columnMap).length ? toColumnMap(report.columnMap) : undefined;
  }

  /** What the report tells about reading the file: tip rows skipped, columns not imported, extras kept in 备注. */
  private describe(parser: SheetParser): void {
    const { report } = this;
    const header = parser.header!;
    report.skippedAbove = parser.skippedAbove;
    if (report.skippedAbove.length) {
      report.notices.push(
        `已跳过表头上方的提示行: ${report.skippedAbove.map((r) => `第 ${r.row} 行 「${r.text}」`).join('、')}`,
      );
    }
    report.notImported = header.notImported.map((n) => ({
      column: columnLetter(n.index),
      label: n.label,
      reason: n.reason,
    }));
    for (const n of report.notImported) report.notices.push(`未导入「${n.label}」(${n.column} 列): ${n.reason}`);
    const kept = header.extras.filter((e) => !header.notImported.some((n) => n.index === e.index));
    if (kept.length) {
      const landline = kept.find((e) => e.key === 'landline');
      const rest = kept.filter((e) => e.key !== 'landline').map((e) => `「${e.label}」`);
      const parts = [
        ...(landline ? [`「${landline.label}」在手机为空时作为手机, 否则记入备注`] : []),
        ...(rest.length ? [`${rest.join('、')} 记入备注 (客户资料没有这些字段)`] : []),
      ];
      report.notices.push(parts.join('; '));
    }
  }

  /**
   * Rows without a code: each is a new customer (or an error). The duplicate lookup and the INSERT
   * go to the database back to back; the outcomes are queued behind them.
   */
  private async fresh(rows: ParsedRow[]): Promise<void> {
    if (!rows.length) return;
    const planned = await this.planner!.plan(rows);
    await this.write(planned, true);
  }

  /** Rows with a code, once the file is read: creates with that code, or updates (locked). */
  private async typedRows(): Promise<void> {
    if (!this.typed.length) return;
    markFileDuplicates(this.typed, this.planner!.labels.code);
    if (this.writer && this.writing) await this.writer.giveWay(this.typedCodes, this.codes!);
    for (const part of chunks(this.typed, IMPORT_CHUNK))
      await this.write(await this.planner!.plan(part, this.writing), false);
    this.typed.length = 0;
  }

  /**
   * Counts planned rows into the report, looks up duplicate candidates and (while writing) writes
   * them. Chunks take turns for the writes, but a chunk encrypts its rows while the previous one
   * is still being written, and its lookups go out at once.
   */
  private async write(planned: PlannedRow[], auto: boolean): Promise<void> {
    const creates = this.tally(planned);
    const lookup = this.dups.lookup(creates);
    lookup.catch(() => undefined);
    const values = this.writer && this.writing ? this.writer.prepare(creates) : null;
    values?.catch(() => undefined);
    const previous = this.turn;
    const mine = (async () => {
      await previous;
      const prepared = await values;
      if (prepared && this.writing) await this.store(planned, creates, prepared, auto);
      this.dups.apply(creates, await lookup, this.writer?.own ?? NOBODY);
    })();
    this.turn = mine;
    await mine;
    for (const r of creates)
      if (r.duplicates.length) this.report.duplicates.push({ row: r.rowNo, matches: r.duplicates });
  }

  /** Writes one chunk: codes for its new customers, then the writer's statements. */
  private async store(planned: PlannedRow[], creates: PlannedRow[], values: unknown[][], auto: boolean): Promise<void> {
    // Taking codes may write (the sequence row): nothing may follow a failed write.
    await this.writer!.settle();
    const codes = auto ? await this.codes!.take(creates.length) : creates.map((r) => r.code!);
    await this.writer!.chunk(planned, creates, values, codes, auto);
  }

  /** Counts planned rows into the report; returns the rows to create. */
  private tally(planned: PlannedRow[]): PlannedRow[] {
    const { report } = this;
    for (const r of planned) {
      if (r.mergedFrom && r.existing && r.action !== 'error')
        report.notices.push(
          `第 ${r.rowNo} 行: ${mergedNote(r.mergedFrom, r.existing.code)}, 已按 ${r.existing.code} 处理`,
        );
      if (r.action === 'create') report.created++;
      else if (r.action === 'update') report.updated++;
      else if (r.action === 'unchanged') report.unchanged++;
      else {
        // Unknown 客户分类 / 区域 are summarised per value (describeValues), not listed per row.
        for (const e of r.errors) if (!e.summarised) report.errors.push(e);
        report.failedRows.push({
          rowNo: r.rowNo,
          cells: r.cells,
          reason: r.errors.map((e) => `${e.column}: ${e.message}`).join('; '),
        });
      }
    }
    this.total += planned.length;
    // All or nothing: after the first error nothing more is written, and the end rolls back.
    if (report.failedRows.length && !this.opts.partial) this.writing = false;
    return planned.filter((r) => r.action === 'create');
  }

  /** Puts the report in row order and, when there is something to keep, closes the batch. */
  private async finish(): Promise<boolean> {
    const { report } = this;
    report.errors.sort((a, b) => a.row - b.row);
    report.failedRows.sort((a, b) => a.rowNo - b.rowNo);
    report.duplicates.sort((a, b) => a.row - b.row);
    if (!this.writer) return false;
    const writable = report.created + report.updated;
    if ((report.failedRows.length && !this.opts.partial) || (!writable && !report.unchanged)) return false;
    await this.writer.settle();
    await this.values!.createEntries(this.core, this.actor, this.t!);
    await this.codes!.release();
    const counts = {
      total: this.total,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      skipped: report.skipped,
      errors: report.failedRows.length,
    };
    report.batchId = String(await this.writer.finish(counts));
    report.committed = true;
    return true;
  }
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { withTransaction } from '../../models/tx.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { prepareCustomerCode } from '../customers/codes.js';
import { parseMapEntries, saveColumnMap } from './column-map.js';
import { ImportRun } from './import-run.js';
import { ImportValueChecker, type UnknownValue } from '../lists/import-values.js';
import type { RowError } from './parse-rows.js';
import type { Progress } from './source.js';
import { importDuration, timed } from '../metrics.js';

/** Thrown inside the import's transaction to roll it back: errors in all-or-nothing mode, or nothing to keep. */
class Rollback extends Error {}

export interface ImportOptions {
  /** The name to show and record (default: the file's base name). */
  fileName?: string;
  /** Write. Without it the import is a dry run: a report, and nothing written. */
  commit?: boolean;
  /** Write the valid rows even when others have errors (default: all or nothing). */
  partial?: boolean;
  ignoreUnknown?: boolean;
  sheet?: string;
  /** `表头=字段` entries (CLI --map-column, repeatable); remembered for the file's source on commit. */
  mapColumns?: string[];
  /** `客户分类:文件里的值=表中的名称` entries (CLI --map-value, repeatable; 区域:… too), for this import only. */
  mapValues?: string[];
  /** Admins only: add the 客户分类 / 区域 values the lists lack (listed in the dry run, added in the commit's transaction). */
  createMissing?: boolean;
  /** The source name a mapping is remembered under (default: the sheet's name, else the file name's stem). */
  source?: string;
  /** The sha256 its dry run read: a commit of a file that changed since is refused (确认导入 from any door). */
  expectSha256?: string;
  onProgress?: (p: Progress) => void;
}

/** A failed row as the error report copies it. */
export interface FailedRow {
  rowNo: number;
  cells: string[];
  reason: string;
}

/** What an import did, or (dry run) would do. */
export interface ImportReport {
  dryRun: boolean;
  /** Whether anything was written. */
  committed: boolean;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errors: RowError[];
  duplicates: { row: number; matches: string[] }[];
  batchId: string | null;
  /** Set when this very file was imported before (and not undone): nothing was done again. */
  alreadyImported: { batchId: string; at: Date; operatorName: string } | null;
  fileName: string;
  sha256: string;
  format: 'xlsx' | 'xls' | 'csv' | null;
  sheet: string | null;
  encoding: string | null;
  /** Header cells as written in the file, and the failed rows, for the error report. */
  headerLabels: string[];
  failedRows: FailedRow[];
  /** Rows with content above the header that were skipped (a title, a tip row). */
  skippedAbove: { row: number; text: string }[];
  /** Columns read but not imported (期初应收, 税率, ignored ones), with the reason. */
  notImported: { column: string; label: string; reason: string }[];
  /** The source name mappings are remembered under, the mapping used (saved + --map-column), and whether it was saved now. */
  columnSource: string | null;
  columnMap: Record<string, string>;
  columnMapSaved: boolean;
  /** 客户分类 / 区域 values in no list, once per distinct value with its row count (also summarised in notices). */
  unknownValues: UnknownValue[];
  /** What a person should know about how the file was read, in Chinese, one line each. */
  notices: string[];
}

/** sha256 of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function emptyReport(fileName: string, sha256: string, dryRun: boolean): ImportReport {
  return {
    dryRun,
    committed: false,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    errors: [],
    duplicates: [],
    batchId: null,
    alreadyImported: null,
    fileName,
    sha256,
    format: null,
    sheet: null,
    encoding: null,
    headerLabels: [],
    failedRows: [],
    skippedAbove: [],
    notImported: [],
    columnSource: null,
    columnMap: {},
    columnMapSaved: false,
    unknownValues: [],
    notices: [],
  };
}

/**
 * Imports customers from an .xlsx, .xls or .csv. Rows go through the same cleaning, ajv schema, code
 * rules, duplicate check, encryption and audit as create. Dry run unless `commit`; all or nothing
 * (one transaction, rows streamed through it in chunks) unless `partial`; the same file twice is
 * recognised by its sha256 and changes nothing.
 */
export async function importCustomers(
  core: Core,
  actor: Actor,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  assertCan(actor.operator, 'import');
  return timed(importDuration, { kind: 'customers', mode: opts.commit ? 'commit' : 'dry_run' }, () =>
    runImport(core, actor, file, opts),
  );
}

async function runImport(core: Core, actor: Actor, file: string, opts: ImportOptions): Promise<ImportReport> {
  const fileName = opts.fileName ?? path.basename(file);
  const dryRun = !opts.commit;
  const flagMap = parseMapEntries(opts.mapColumns ?? []);
  // Bad --map-value / --create-missing are refused before anything else, like --map-column.
  if (opts.mapValues?.length || opts.createMissing) await ImportValueChecker.prepare(core, actor, opts, null);
  const sha256 = await fileSha256(file).catch(() => '');
  if (opts.expectSha256 && sha256 !== opts.expectSha256) {
    throw new DomainError(
      'CONFLICT',
      `待导入的文件「${fileName}」和预检时不一样了, 为安全起见没有导入。请重新上传或发送文件, 预检后再确认。`,
      { file: fileName },
    );
  }
  const report = emptyReport(fileName, sha256, dryRun);
  const previous = sha256
    ? await core.models.ImportBatch.findOne({
        where: { sha256, status: 'committed', kind: 'customers' },
        order: [['id', 'DESC']],
      })
    : null;
  if (previous) {
    report.alreadyImported = {
      batchId: String(previous.id),
      at: previous.createdAt,
      operatorName: previous.operatorName,
    };
    return report;
  }
  if (dryRun) {
    await new ImportRun(core, actor, file, opts, report, null).run();
    return report;
  }
  // MySQL: the code sequence row must exist before the transaction (see prepareSequence).
  await prepareCustomerCode(core);
  let result = report;
  try {
    await withTransaction(core.models.sequelize, async (t) => {
      // A retried attempt (deadlock) starts over with a fresh report.
      result = emptyReport(fileName, sha256, false);
      if (!(await new ImportRun(core, actor, file, opts, result, t).run())) throw new Rollback();
      if (Object.keys(flagMap).length && result.columnSource) {
        await saveColumnMap(core, result.columnSource, result.columnMap, t);
        result.columnMapSaved = true;
        result.notices.push(
          `已记住这次的列对应关系 (来源「${result.columnSource}」), 下次导入同类文件无需再加 --map-column。`,
        );
      }
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result;
}

import path from 'node:path';
import type { Transaction } from 'sequelize';
import type { ImportBatch } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import type { Actor, Core } from '../../context.js';
import { fileSha256 } from '../../data/import.js';
import { DomainError } from '../../errors.js';
import { assertCan, can } from '../../permissions.js';
import { applyLedger } from '../apply.js';
import type { LedgerDoc } from '../types.js';
import { LEDGER_BATCH_MAX } from '../validate.js';
import type { LedgerFileType } from './columns.js';
import { emptyLedgerReport, errorCount, type LedgerImportOptions, type LedgerImportReport } from './report.js';
import { LedgerCheck } from './run.js';
import { snapshotClosings } from './snapshot.js';
import { importDuration, timed } from '../../metrics.js';

const SAMPLE = 20;

/** Orders are sales work, receivables finance's: the same permissions as the API push. */
function assertMayImport(actor: Actor, type: LedgerFileType | undefined): void {
  if (type !== 'receivables') assertCan(actor.operator, 'orders');
  if (type === 'receivables') assertCan(actor.operator, 'payments');
}

/** Snapshot mode: counts (and in a dry run, checks) the documents the file no longer lists. */
async function planClosings(
  core: Core,
  actor: Actor,
  check: LedgerCheck,
  report: LedgerImportReport,
): Promise<LedgerDoc[]> {
  const docs = await snapshotClosings(core, report.type, check.seen);
  const ok: LedgerDoc[] = [];
  for (let i = 0; i < docs.length; i += LEDGER_BATCH_MAX) {
    const part = docs.slice(i, i + LEDGER_BATCH_MAX);
    const res = await applyLedger(core, actor, part, { source: 'file', dryRun: true });
    for (const o of res.outcomes) {
      const d = part[o.index]!;
      if (o.result === 'error')
        report.closeErrors.push({
          number: d.number,
          customerCode: d.customerCode,
          error: o.error?.message ?? '未知错误',
        });
      else if (o.result !== 'unchanged') ok.push(d);
    }
  }
  report.closing = ok.length;
  report.closingSample = ok.slice(0, SAMPLE).map((d) => ({ number: d.number, customerCode: d.customerCode }));
  return ok;
}

/**
 * Imports orders or receivables from an .xlsx or .csv exported by an ERP. Every row becomes a
 * LedgerDoc and goes through applyLedger, the API's own path (validation, the 停用 rule, upsert by
 * number, ledger events, audit). Dry run unless `commit`; all or nothing unless `partial`;
 * `snapshot` closes the open file-sourced documents the file no longer lists.
 */
export async function importLedger(
  core: Core,
  actor: Actor,
  file: string,
  opts: LedgerImportOptions = {},
): Promise<LedgerImportReport> {
  return timed(importDuration, { kind: 'ledger', mode: opts.commit ? 'commit' : 'dry_run' }, () =>
    runLedgerImport(core, actor, file, opts),
  );
}

async function runLedgerImport(
  core: Core,
  actor: Actor,
  file: string,
  opts: LedgerImportOptions,
): Promise<LedgerImportReport> {
  // Before reading anything: someone who may import neither kind learns it at once.
  if (!can(actor.operator, 'orders') && !can(actor.operator, 'payments')) assertCan(actor.operator, 'orders');
  if (opts.type) assertMayImport(actor, opts.type);
  const fileName = opts.fileName ?? path.basename(file);
  const sha256 = await fileSha256(file).catch(() => '');
  if (opts.expectSha256 && sha256 !== opts.expectSha256) {
    throw new DomainError(
      'CONFLICT',
      `待导入的文件「${fileName}」和预检时不一样了, 为安全起见没有导入。请重新上传文件, 预检后再确认。`,
      { file: fileName },
    );
  }
  const report = emptyLedgerReport(fileName, sha256, !opts.commit, opts);
  const check = new LedgerCheck(core, actor, file, opts, report);
  await check.run();
  if (!opts.type) assertMayImport(actor, report.type);
  const closings = opts.snapshot ? await planClosings(core, actor, check, report) : [];
  if (report.dryRun || (errorCount(report) && !opts.partial)) return report;
  // Nothing would change (the same file again): no batch, nothing to undo.
  if (!check.changes.length && !closings.length) return report;
  await commitChanges(core, actor, check.changes, closings, report, opts);
  return report;
}

/** Creates the batch row the changes will carry. */
async function openBatch(
  core: Core,
  actor: Actor,
  report: LedgerImportReport,
  partial: boolean,
  t: Transaction,
): Promise<ImportBatch> {
  return core.models.ImportBatch.create(
    {
      fileName: report.fileName.slice(0, 255),
      kind: report.type,
      sha256: report.sha256,
      sheet: report.sheet,
      operatorId: actor.operator.id ?? null,
      operatorName: actor.operator.displayName,
      door: actor.door,
      mode: partial ? 'partial' : 'all',
      totalRows: 0,
      createdCount: 0,
      updatedCount: 0,
      unchangedCount: 0,
      skippedCount: 0,
      errorCount: 0,
      createdAt: core.now(),
    },
    { transaction: t },
  );
}

/** Thrown inside the all-or-nothing transaction to roll it back after a late refusal. */
class LateRefusal extends Error {}

type Change = { d: LedgerDoc; rowNo: number };

/** Writes the changes in calls of `perCall`; returns the counts, and how many were refused late. */
async function writeCalls(
  core: Core,
  actor: Actor,
  all: Change[],
  report: LedgerImportReport,
  opts: LedgerImportOptions,
  batchId: number,
  perCall: number,
  t?: Transaction,
) {
  const counts = { created: 0, updated: 0, unchanged: report.unchanged, closed: 0, late: 0 };
  for (let i = 0; i < all.length; i += perCall) {
    const part = all.slice(i, i + perCall);
    const res = await applyLedger(
      core,
      actor,
      part.map((p) => p.d),
      { source: 'file', atomic: !opts.partial, batchId, transaction: t },
    );
    for (const o of res.outcomes) {
      const p = part[o.index]!;
      if (o.result === 'error') {
        counts.late++;
        const message = `${p.d.number}: ${o.error?.message ?? '未知错误'}`;
        if (p.rowNo) {
          report.errors.push({ row: p.rowNo, column: '单据编号', message });
          report.failedRows.push({ rowNo: p.rowNo, cells: [], reason: `单据编号: ${message}` });
        } else
          report.closeErrors.push({
            number: p.d.number,
            customerCode: p.d.customerCode,
            error: o.error?.message ?? '未知错误',
          });
      } else if (o.applied === false) continue;
      else if (o.result === 'unchanged') counts.unchanged++;
      else if (!p.rowNo) counts.closed++;
      else counts[o.result]++;
    }
    if (counts.late && !opts.partial) break;
    opts.onProgress?.({ phase: 'write', done: Math.min(i + perCall, all.length), total: all.length });
  }
  return counts;
}

/**
 * Writes the checked changes under a new batch, `perCall` documents per applyLedger call. All or
 * nothing (the default) runs every call in ONE transaction, so a refusal the check could not see
 * (a customer 停用 meanwhile) rolls back the whole file, batch row included. `partial` commits call
 * by call. (`perCall` is smaller only in tests.)
 */
export async function commitChanges(
  core: Core,
  actor: Actor,
  docs: { rowNo: number; doc: LedgerDoc }[],
  closings: LedgerDoc[],
  report: LedgerImportReport,
  opts: LedgerImportOptions,
  perCall = LEDGER_BATCH_MAX,
): Promise<void> {
  const all: Change[] = [...docs.map((c) => ({ d: c.doc, rowNo: c.rowNo })), ...closings.map((d) => ({ d, rowNo: 0 }))];
  const partial = Boolean(opts.partial);
  const finish = async (batch: ImportBatch, counts: Awaited<ReturnType<typeof writeCalls>>, t?: Transaction) => {
    Object.assign(report, {
      created: counts.created,
      updated: counts.updated,
      unchanged: counts.unchanged,
      closing: counts.closed,
      committed: true,
      batchId: String(batch.id),
    });
    await batch.update(
      {
        totalRows: report.created + report.updated + report.unchanged + report.failedRows.length,
        createdCount: counts.created,
        updatedCount: counts.updated + counts.closed,
        unchangedCount: counts.unchanged,
        skippedCount: report.skipped,
        errorCount: errorCount(report),
      },
      { transaction: t },
    );
  };
  if (partial) {
    const batch = await withTransaction(core.models.sequelize, (t) => openBatch(core, actor, report, true, t));
    await finish(batch, await writeCalls(core, actor, all, report, opts, batch.id, perCall));
    return;
  }
  try {
    await withTransaction(core.models.sequelize, async (t) => {
      const batch = await openBatch(core, actor, report, false, t);
      const counts = await writeCalls(core, actor, all, report, opts, batch.id, perCall, t);
      if (counts.late) throw new LateRefusal();
      await finish(batch, counts, t);
    });
  } catch (err) {
    if (!(err instanceof LateRefusal)) throw err;
    // Rolled back whole: nothing of this file was written.
    Object.assign(report, { committed: false, batchId: null });
  }
}

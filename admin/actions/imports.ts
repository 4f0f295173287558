import fs from 'node:fs';
import type { ActionRequest } from 'adminjs';
import type { Actor, Core } from '../../core/context.js';
import { importCustomers, undoImport, writeErrorReport, type ImportReport } from '../../core/data/index.js';
import { DomainError } from '../../core/errors.js';
import { assertCan } from '../../core/permissions.js';
import { COMPONENTS } from '../components.js';
import {
  dropUpload,
  findStaged,
  removeStaged,
  stageUpload,
  stagedFiles,
  writeMeta,
  type StagedMeta,
  type StagedOptions,
} from '../data/staging.js';
import { freshRecord, text, throughCore } from '../features/core-errors.js';
import { permit, statusIs } from '../features/permissions.js';
import { ADMIN_DATA_ROUTES, uploadLimitMb } from '../data/routes.js';
import { formatByName, IMPORT_FORMATS_TEXT, isImportFormat } from '../../core/data/formats.js';
import { unknownValueLines } from '../../core/lists/import-values.js';

/** Rows of errors and duplicate candidates sent to the browser; the error report holds them all. */
const SHOWN = 200;

/** An uploaded file as koa2-formidable (formidable 1) hands it over. */
interface UploadedFile {
  path: string;
  name: string | null;
  size: number;
}

function uploadedFile(payload: Record<string, unknown> | undefined): UploadedFile | null {
  const f = payload?.file as Partial<UploadedFile> | undefined;
  return f && typeof f === 'object' && typeof f.path === 'string'
    ? { path: f.path, name: f.name ?? null, size: Number(f.size ?? 0) }
    : null;
}

const flag = (payload: Record<string, unknown> | undefined, key: string) =>
  ['true', 'on', '1'].includes(text(payload, key) ?? '');

/** What the browser shows of a report: counts and the first rows of errors; never cell contents. */
export function reportView(r: ImportReport) {
  return {
    fileName: r.fileName,
    sha256: r.sha256,
    format: r.format,
    sheet: r.sheet,
    encoding: r.encoding,
    dryRun: r.dryRun,
    committed: r.committed,
    batchId: r.batchId,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    skipped: r.skipped,
    errorCount: r.errors.length,
    failedRowCount: r.failedRows.length,
    errors: r.errors.slice(0, SHOWN),
    // Unknown 客户分类 / 区域, once per value with the fixes (the same lines the CLI and chat show).
    valueProblems: unknownValueLines(r.unknownValues, { committed: r.committed }),
    duplicateCount: r.duplicates.length,
    duplicates: r.duplicates.slice(0, SHOWN),
    alreadyImported: r.alreadyImported ? { ...r.alreadyImported, at: r.alreadyImported.at.toISOString() } : null,
  };
}

const errorReportUrl = (meta: StagedMeta) =>
  meta.hasErrorReport ? `${ADMIN_DATA_ROUTES.errorReport}/${meta.id}` : null;

/** Dry run of a fresh upload: the file is staged under an opaque id for 确认导入, and failed rows go to an error report. */
async function dryRun(core: Core, actor: Actor, upload: UploadedFile, options: StagedOptions) {
  const fileName = (upload.name ?? '').trim() || '上传的文件';
  const format = formatByName(fileName);
  if (!isImportFormat(format)) {
    fs.rmSync(upload.path, { force: true });
    throw new DomainError(
      'VALIDATION',
      `「${fileName}」不是 .xlsx 或 .csv 文件, 也不是旧版 .xls。请上传 ${IMPORT_FORMATS_TEXT}。`,
      { file: fileName },
    );
  }
  const meta = stageUpload(core, upload.path, { fileName, operatorId: actor.operator.id ?? -1, options });
  try {
    const report = await importCustomers(core, actor, stagedFiles(core, meta.id).upload, {
      fileName,
      ...opts(options),
    });
    meta.sha256 = report.sha256;
    if (report.failedRows.length) {
      await writeErrorReport(report, stagedFiles(core, meta.id).errors);
      meta.hasErrorReport = true;
    }
    writeMeta(core, meta);
    if (report.alreadyImported) removeStaged(core, meta.id);
    return {
      report: reportView(report),
      token: report.alreadyImported ? null : meta.id,
      errorReportUrl: errorReportUrl(meta),
    };
  } catch (err) {
    removeStaged(core, meta.id);
    throw err;
  }
}

const opts = (o: StagedOptions) => ({
  ignoreUnknown: o.ignoreUnknown,
  partial: o.partial,
  ...(o.sheet ? { sheet: o.sheet } : {}),
  ...(o.mapValues?.length ? { mapValues: o.mapValues } : {}),
  ...(o.createMissing ? { createMissing: true } : {}),
});

/** 确认导入: the staged file, with the options of its dry run. */
async function commit(core: Core, actor: Actor, token: unknown) {
  const meta = findStaged(core, token, actor.operator.id);
  // A staged order/receivable file is the ledger import's: never read it as customers.
  if ((meta.options as { ledger?: boolean }).ledger)
    throw new DomainError('NOT_FOUND', '找不到这次上传的客户文件。请重新选择文件上传并预检。', {});
  const report = await importCustomers(core, actor, stagedFiles(core, meta.id).upload, {
    fileName: meta.fileName,
    commit: true,
    ...opts(meta.options),
    ...(meta.sha256 ? { expectSha256: meta.sha256 } : {}),
  });
  if (report.committed || report.alreadyImported) dropUpload(core, meta.id);
  return { report: reportView(report), token: report.committed ? null : meta.id, errorReportUrl: errorReportUrl(meta) };
}

function importNotice(view: ReturnType<typeof reportView>) {
  if (view.alreadyImported) {
    const a = view.alreadyImported;
    return {
      type: 'info' as const,
      message: `这个文件已于 ${a.at.slice(0, 16).replace('T', ' ')} 由 ${a.operatorName} 导入过 (批次 #${a.batchId}), 本次没有任何改动。`,
    };
  }
  if (view.committed)
    return {
      type: 'success' as const,
      message: `已导入: 新建 ${view.created} 个, 更新 ${view.updated} 个客户 (批次 #${view.batchId})。如需撤销, 在「导入批次」里操作。`,
    };
  if (!view.dryRun) {
    const why = view.errorCount
      ? `有 ${view.failedRowCount} 行出错, 全部导入模式下一行都没有写入。请修正后重新上传, 或勾选「只导入有效行」再预检。`
      : '没有可以写入的行。';
    return { type: 'error' as const, message: `没有导入: ${why}` };
  }
  return {
    type: 'info' as const,
    message: `预检完成, 尚未写入任何数据: 将新建 ${view.created}, 更新 ${view.updated}, 未变 ${view.unchanged}, 跳过 ${view.skipped}, 出错 ${view.failedRowCount} 行。`,
  };
}

/** The import's upload options from the form. */
function formOptions(request: ActionRequest): StagedOptions {
  const mapValues = (text(request.payload, 'mapValues') ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return {
    ignoreUnknown: flag(request.payload, 'ignoreUnknown'),
    partial: flag(request.payload, 'partial'),
    sheet: text(request.payload, 'sheet'),
    mapValues,
    createMissing: flag(request.payload, 'createMissing'),
  };
}

/** 导入客户 (resource action): upload → dry-run report → 确认导入 of the same staged file. */
export function importFileAction(core: Core) {
  return {
    actionType: 'resource' as const,
    icon: 'Upload',
    component: COMPONENTS.ImportAction,
    ...permit('import'),
    handler: throughCore(async (request, _context, actor) => {
      const info = {
        templateUrl: ADMIN_DATA_ROUTES.template,
        maxMb: uploadLimitMb(core),
        maxRows: core.config.IMPORT_MAX_ROWS,
      };
      const upload = uploadedFile(request.payload);
      try {
        if (request.method !== 'post') return { info };
        assertCan(actor.operator, 'import');
        if (text(request.payload, 'token')) {
          const out = await commit(core, actor, text(request.payload, 'token'));
          return { info, ...out, notice: importNotice(out.report) };
        }
        if (!upload) throw new DomainError('VALIDATION', '请先选择要导入的 .xlsx 或 .csv 文件。', {});
        const out = await dryRun(core, actor, upload, formOptions(request));
        return { info, ...out, notice: importNotice(out.report) };
      } finally {
        if (upload) fs.rmSync(upload.path, { force: true });
      }
    }),
  };
}

/** Per-outcome counts of a batch's rows, e.g. 新建 3 · 更新 1 · 出错 2. */
export async function outcomeSummary(core: Core, batchId: number): Promise<string> {
  const labels: Record<string, string> = {
    created: '新建',
    updated: '更新',
    unchanged: '未变',
    error: '出错',
    skipped: '跳过',
  };
  const rows = (await core.models.ImportRow.count({ where: { batchId }, group: ['outcome'] })) as unknown as {
    outcome: string;
    count: number;
  }[];
  const parts = rows.filter((r) => Number(r.count) > 0).map((r) => `${labels[r.outcome] ?? r.outcome} ${r.count} 行`);
  return parts.length ? parts.join(' · ') : '没有逐行记录';
}

/** 撤销导入 (record action): core removes untouched created customers, restores updated fields, lists the rest. */
export function undoImportAction(core: Core) {
  return {
    actionType: 'record' as const,
    icon: 'RotateCcw',
    variant: 'danger' as const,
    component: COMPONENTS.UndoImportAction,
    ...permit('import', statusIs('committed')),
    handler: throughCore(async (request, context, actor) => {
      const id = Number(context.record!.id());
      if (request.method !== 'post')
        return { record: context.record!.toJSON(context.currentAdmin), outcomes: await outcomeSummary(core, id) };
      const undone = await undoImport(core, actor, String(id));
      const left = undone.touched.length ? `; ${undone.touched.length} 行因导入后被改动或使用而保留` : '';
      return {
        record: await freshRecord(context),
        undone,
        notice: {
          type: 'success',
          message: `已撤销导入批次 #${undone.batchId}: 删除 ${undone.removed} 个新建的客户, 恢复 ${undone.restored} 个被更新的客户${left}。`,
        },
      };
    }),
  };
}

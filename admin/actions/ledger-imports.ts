import fs from 'node:fs';
import type { ActionContext, ActionRequest } from 'adminjs';
import type { Actor, Core } from '../../core/context.js';
import { writeErrorReport } from '../../core/data/index.js';
import { formatByName, IMPORT_FORMATS_TEXT, isImportFormat } from '../../core/data/formats.js';
import { DomainError } from '../../core/errors.js';
import {
  importLedger,
  TYPE_LABELS,
  undoLedgerImport,
  type LedgerFileType,
  type LedgerImportReport,
} from '../../core/ledger/import/index.js';
import { COMPONENTS } from '../components.js';
import { ADMIN_DATA_ROUTES, uploadLimitMb } from '../data/routes.js';
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
import { allowed } from '../features/permissions.js';
import type { undoImportAction } from './imports.js';

/** Rows of errors sent to the browser; the error workbook holds them all. */
const SHOWN = 200;

/** The customer import's staged options plus the ledger's own; `ledger` keeps the two imports' uploads apart. */
interface LedgerStagedOptions extends StagedOptions {
  ledger: true;
  type: LedgerFileType | null;
  snapshot: boolean;
}

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

/** What the browser shows of a report: counts, the first errors, the snapshot's closings; never other cells. */
export function ledgerReportView(r: LedgerImportReport) {
  return {
    type: r.type,
    typeLabel: TYPE_LABELS[r.type],
    typeGuessed: r.typeGuessed,
    fileName: r.fileName,
    format: r.format,
    sheet: r.sheet,
    encoding: r.encoding,
    dryRun: r.dryRun,
    committed: r.committed,
    batchId: r.batchId,
    snapshot: r.snapshot,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    skipped: r.skipped,
    mergedLines: r.mergedLines,
    closing: r.closing,
    closingSample: r.closingSample,
    closeErrors: r.closeErrors.slice(0, SHOWN),
    errorCount: r.errors.length,
    failedRowCount: r.failedRows.length,
    errors: r.errors.slice(0, SHOWN),
    unknownColumns: r.unknownColumns,
  };
}

type View = ReturnType<typeof ledgerReportView>;

const errorReportUrl = (meta: StagedMeta) =>
  meta.hasErrorReport ? `${ADMIN_DATA_ROUTES.errorReport}/${meta.id}` : null;
const importOpts = (o: LedgerStagedOptions) => ({
  partial: o.partial,
  snapshot: o.snapshot,
  ...(o.type ? { type: o.type } : {}),
  ...(o.sheet ? { sheet: o.sheet } : {}),
});

/** Dry run of a fresh upload, staged under an opaque id for 确认导入; failed rows go to an error workbook. */
async function dryRun(core: Core, actor: Actor, upload: UploadedFile, options: LedgerStagedOptions) {
  const fileName = (upload.name ?? '').trim() || '上传的文件';
  // The same formats as the customer import, decided in core (core/data/formats.ts).
  if (!isImportFormat(formatByName(fileName))) {
    fs.rmSync(upload.path, { force: true });
    throw new DomainError('VALIDATION', `「${fileName}」不是可导入的文件。请上传 ERP 导出的 ${IMPORT_FORMATS_TEXT}。`, {
      file: fileName,
    });
  }
  const meta = stageUpload(core, upload.path, { fileName, operatorId: actor.operator.id ?? -1, options });
  try {
    const report = await importLedger(core, actor, stagedFiles(core, meta.id).upload, {
      fileName,
      ...importOpts(options),
    });
    meta.sha256 = report.sha256;
    if (report.failedRows.length) {
      await writeErrorReport(report, stagedFiles(core, meta.id).errors);
      meta.hasErrorReport = true;
    }
    writeMeta(core, meta);
    return { report: ledgerReportView(report), token: meta.id, errorReportUrl: errorReportUrl(meta) };
  } catch (err) {
    removeStaged(core, meta.id);
    throw err;
  }
}

/** 确认导入: the staged file, with the options of its dry run, refused if it changed since. */
async function commit(core: Core, actor: Actor, token: unknown) {
  const meta = findStaged(core, token, actor.operator.id);
  const options = meta.options as LedgerStagedOptions;
  if (!options.ledger) throw new DomainError('NOT_FOUND', '找不到这次上传的单据文件。请重新选择文件上传并预检。', {});
  const report = await importLedger(core, actor, stagedFiles(core, meta.id).upload, {
    fileName: meta.fileName,
    commit: true,
    ...importOpts(options),
    ...(meta.sha256 ? { expectSha256: meta.sha256 } : {}),
  });
  if (report.committed) dropUpload(core, meta.id);
  return {
    report: ledgerReportView(report),
    token: report.committed ? null : meta.id,
    errorReportUrl: errorReportUrl(meta),
  };
}

function notice(v: View) {
  const closing = v.snapshot
    ? `, ${v.committed ? '已' : '将'}${v.type === 'orders' ? '关闭' : '标为已收清'} ${v.closing} 张`
    : '';
  if (v.committed)
    return {
      type: 'success' as const,
      message: `已导入${v.typeLabel}: 新增 ${v.created}, 更新 ${v.updated}${closing} (批次 #${v.batchId})。如需撤销, 在「导入批次」里操作。`,
    };
  if (!v.dryRun) {
    const why =
      v.failedRowCount || v.closeErrors.length
        ? `有 ${v.failedRowCount + v.closeErrors.length} 处错误, 全部导入模式下没有写入任何单据。请修正后重新上传, 或勾选「只导入有效行」再预检。`
        : '没有需要写入的变化 (全部不变)。';
    return { type: v.failedRowCount ? ('error' as const) : ('info' as const), message: `没有导入: ${why}` };
  }
  return {
    type: 'info' as const,
    message: `预检完成 (${v.typeLabel}), 尚未写入任何数据: 将新增 ${v.created}, 更新 ${v.updated}, 不变 ${v.unchanged}${closing}, 出错 ${v.failedRowCount} 行。`,
  };
}

function formOptions(request: ActionRequest): LedgerStagedOptions {
  const type = text(request.payload, 'type');
  return {
    ledger: true,
    ignoreUnknown: false,
    partial: flag(request.payload, 'partial'),
    snapshot: flag(request.payload, 'snapshot'),
    sheet: text(request.payload, 'sheet'),
    type: type === 'orders' || type === 'receivables' ? type : null,
  };
}

/** Orders need 办理订单, receivables 登记收款 (core checks which one once it knows the file's type). */
const mayImport = ({ currentAdmin }: ActionContext) =>
  allowed(currentAdmin, 'orders') || allowed(currentAdmin, 'payments');

/** 导入单据 (resource action): upload → dry-run report → 确认导入 of the same staged file. */
export function importLedgerAction(core: Core) {
  return {
    actionType: 'resource' as const,
    icon: 'FileText',
    component: COMPONENTS.LedgerImportAction,
    isAccessible: mayImport,
    isVisible: mayImport,
    handler: throughCore(async (request, _context, actor) => {
      const info = { maxMb: uploadLimitMb(core), maxRows: core.config.IMPORT_MAX_ROWS };
      const upload = uploadedFile(request.payload);
      try {
        if (request.method !== 'post') return { info };
        const out = text(request.payload, 'token')
          ? await commit(core, actor, text(request.payload, 'token'))
          : upload
            ? await dryRun(core, actor, upload, formOptions(request))
            : null;
        if (!out) throw new DomainError('VALIDATION', `请先选择要导入的文件 (${IMPORT_FORMATS_TEXT})。`, {});
        return { info, ...out, notice: notice(out.report) };
      } finally {
        if (upload) fs.rmSync(upload.path, { force: true });
      }
    }),
  };
}

const isLedgerBatch = (kind: unknown) => kind === 'orders' || kind === 'receivables';

/** 撤销单据导入 (record action): one transaction in core; refused with the list when documents changed since. */
export function undoLedgerImportAction(core: Core) {
  return {
    actionType: 'record' as const,
    icon: 'RotateCcw',
    variant: 'danger' as const,
    component: COMPONENTS.ConfirmAction,
    custom: {
      message:
        '撤销会删除本批次新增的单据, 并把本批次改动过的单据 (含快照关闭的) 恢复为导入前的状态。若其中有单据在导入后又被改动过, 整批都不撤销, 并列出这些单据。',
      button: '确认撤销',
      danger: true,
    },
    isAccessible: mayImport,
    isVisible: (context: ActionContext) =>
      mayImport(context) &&
      (!context.record ||
        (context.record.param('status') === 'committed' && isLedgerBatch(context.record.param('kind')))),
    handler: throughCore(async (request, context, actor) => {
      if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
      const r = await undoLedgerImport(core, actor, String(context.record!.id()));
      return {
        record: await freshRecord(context),
        undone: r,
        notice: {
          type: 'success',
          message: `已撤销导入批次 #${r.batchId}: 删除新增的${TYPE_LABELS[r.type]} ${r.removed} 张, ${r.restored} 张恢复为导入前的状态。`,
        },
      };
    }),
  };
}

type UndoAction = ReturnType<typeof undoImportAction>;

/**
 * The customer import's 撤销导入, kept to customer batches: on a ledger batch it would find no
 * customer rows and only mark the batch undone, so it is hidden there and refused if reached.
 */
export function customerBatchesOnly(action: UndoAction): UndoAction {
  const { handler, isVisible } = action;
  return {
    ...action,
    isVisible: (context: ActionContext) =>
      isVisible(context) && !(context.record && isLedgerBatch(context.record.param('kind'))),
    handler: async (request, response, context) => {
      const record = context.record;
      if (!record || !isLedgerBatch(record.param('kind'))) return handler(request, response, context);
      return {
        record: record.toJSON(context.currentAdmin),
        notice: { type: 'error', message: `导入批次 #${record.id()} 是单据导入, 请用「撤销单据导入」撤销。` },
      };
    },
  };
}

/** Who may read 导入批次: customer importers, and whoever may import orders or receivables. */
export const mayReadBatches = (context: ActionContext) => allowed(context.currentAdmin, 'import') || mayImport(context);

/** 逐行结果 of a ledger batch, from its counts (ledger batches keep their history in ledger_events, not import_rows). */
export function ledgerOutcomes(params: Record<string, unknown>): string | null {
  if (!isLedgerBatch(params.kind)) return null;
  return `新增 ${Number(params.createdCount ?? 0)} 张 · 更新 ${Number(params.updatedCount ?? 0)} 张 (含快照关闭) · 未变 ${Number(params.unchangedCount ?? 0)} 张 · 出错 ${Number(params.errorCount ?? 0)} 行`;
}

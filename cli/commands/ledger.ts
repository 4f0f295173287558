import type { Command } from 'commander';
import {
  importLedger,
  TYPE_LABELS,
  undoLedgerImport,
  type LedgerFileType,
  type LedgerImportReport,
} from '../../core/ledger/import/index.js';
import { runAction, UserFacingError } from '../runtime.js';
import { cliActor, output, progressBar, saveErrorReport, withCore } from './data-support.js';

interface LedgerFlags {
  type?: string;
  commit?: boolean;
  partial?: boolean;
  snapshot?: boolean;
  sheet?: string;
  errorsOut?: string;
  json?: boolean;
  as?: string;
}

const TYPES: Record<string, LedgerFileType> = {
  orders: 'orders',
  order: 'orders',
  订单: 'orders',
  receivables: 'receivables',
  receivable: 'receivables',
  应收: 'receivables',
  应收款: 'receivables',
};

/** Snapshot mode: the documents this file no longer lists, which get closed or marked paid. */
function snapshotLines(r: LedgerImportReport, verb: string): string[] {
  const closeWord = r.type === 'orders' ? '关闭' : '标为已收清';
  const sample = r.closingSample.map((c) => c.number).join(', ');
  const more = r.closing > r.closingSample.length ? ' ……' : '';
  return [
    `快照模式: ${verb}${closeWord} ${r.closing} 张 (以前从文件导入、仍未完成、这次文件里已没有的${TYPE_LABELS[r.type]})${sample ? `: ${sample}${more}` : ''}`,
    ...r.closeErrors.slice(0, 10).map((c) => `  ✗ ${c.number} (${c.customerCode}) 无法${closeWord}: ${c.error}`),
  ];
}

/** What the person should do next, given how the import went. */
function ledgerNextStep(r: LedgerImportReport): string {
  const problems = r.failedRows.length + r.closeErrors.length;
  if (r.committed) return `已写入, 导入批次 #${r.batchId}。撤销: steward ledger import undo ${r.batchId}`;
  if (!r.dryRun && problems) return '有错误, 没有写入任何单据。改正后重新导入, 或加 --partial 只导入正确的行。';
  if (!r.dryRun) return '没有需要写入的变化。';
  return problems ? '改正错误后再导入, 或加 --commit --partial 只导入正确的行。' : '确认无误后加 --commit 正式导入。';
}

/** The report as the person at the terminal reads it. */
export function ledgerLines(r: LedgerImportReport, errorReport: string | null): string[] {
  const where = r.sheet ? `工作表「${r.sheet}」` : `CSV, ${r.encoding?.toUpperCase()}`;
  const verb = r.committed ? '' : '将';
  const lines = [
    `${r.dryRun ? '[试运行, 未写入] ' : ''}${r.fileName} (${where}) · ${TYPE_LABELS[r.type]}${r.typeGuessed ? ' (按表头识别; 可用 --type 指定)' : ''}`,
    `${verb}新增 ${r.created}, ${verb}更新 ${r.updated}, 不变 ${r.unchanged}, 跳过 ${r.skipped} (标题/合计行), 错误 ${r.failedRows.length}`,
  ];
  if (r.snapshot) lines.push(...snapshotLines(r, verb));
  if (r.mergedLines) lines.push(`明细文件: ${r.mergedLines} 行明细已并入同一单号的订单 (金额相加)`);
  if (r.unknownColumns.length) lines.push(`未识别的列 (已忽略): ${r.unknownColumns.join('、')}`);
  for (const e of r.errors.slice(0, 20)) lines.push(`  ✗ ${e.row ? `第 ${e.row} 行 ` : ''}${e.column}: ${e.message}`);
  if (r.errors.length > 20) lines.push(`  …… 共 ${r.errors.length} 条错误`);
  if (errorReport) lines.push(`错误报告 (改正后可直接重新导入): ${errorReport}`);
  lines.push(ledgerNextStep(r));
  return lines;
}

/** The --json summary. */
function summary(r: LedgerImportReport) {
  const {
    type,
    dryRun,
    committed,
    created,
    updated,
    unchanged,
    skipped,
    mergedLines,
    closing,
    errors,
    closeErrors,
    unknownColumns,
    batchId,
  } = r;
  return {
    type,
    dryRun,
    committed,
    created,
    updated,
    unchanged,
    skipped,
    mergedLines,
    closing,
    errors,
    closeErrors,
    unknownColumns,
    batchId,
  };
}

async function runImport(file: string, flags: LedgerFlags): Promise<number> {
  const type = flags.type === undefined ? undefined : TYPES[flags.type.trim().toLowerCase()];
  if (flags.type !== undefined && !type)
    throw new UserFacingError(`--type 只能是 orders (订单) 或 receivables (应收款), 不是「${flags.type}」。`, 2);
  return withCore(flags.json, async (core) => {
    const actor = await cliActor(core, flags.as);
    const bar = progressBar(!flags.json);
    const report = await importLedger(core, actor, file, {
      type,
      commit: flags.commit,
      partial: flags.partial,
      snapshot: flags.snapshot,
      sheet: flags.sheet,
      onProgress: bar.update,
    }).finally(bar.stop);
    const errorReport = await saveErrorReport(report, file, flags.errorsOut);
    output(Boolean(flags.json), summary(report), ledgerLines(report, errorReport));
    if (flags.json && errorReport) process.stderr.write(`错误报告: ${errorReport}\n`);
    const problems = report.failedRows.length + report.closeErrors.length;
    return problems && !(flags.partial && report.committed) ? 1 : 0;
  });
}

async function runUndo(batch: string, flags: LedgerFlags): Promise<number> {
  return withCore(flags.json, async (core) => {
    const r = await undoLedgerImport(core, await cliActor(core, flags.as), batch);
    output(Boolean(flags.json), r, [
      `已撤销导入批次 #${r.batchId} (${r.fileName}): 删除了导入新增的 ${r.removed} 张${TYPE_LABELS[r.type]}, ${r.restored} 张恢复为导入前的状态。`,
    ]);
    return 0;
  });
}

const HELP = `
用法 / usage:
  steward ledger import 订单.xlsx                   试运行: 只出报告, 不写入 (dry run, the default)
  steward ledger import 订单.xlsx --commit          正式导入, 有任何错误则全部不写入 (all or nothing)
  steward ledger import 应收.csv --commit --partial 只导入正确的行 (write the valid rows only)
  steward ledger import 订单.xlsx --snapshot        整表快照: 文件里没有的、以前从文件导入的未完成订单视为已关闭
                                                   (应收款视为已收清); API、jshERP 和本地单据不受影响
  steward ledger import undo 12                    撤销导入批次 #12 (undo batch 12)
文件类型按表头识别, 也可用 --type orders|receivables 指定。
订单表头: 单据编号/单号/订单号/number, 客户编码/customer code 或 客户名称/customer name, 单据日期/日期/date,
          金额/合计/总金额/total, 状态/status (未完成/进行中/open/0, 已完成/已关闭/closed/1, 已取消/作废/cancelled)
应收表头: 单据编号/number, 客户编码 或 客户名称, 应收金额/金额/amount, 已收金额/已收/paid, 到期日/due date, 关联订单
日期可写 2026-01-05、2026/1/5 或 Excel 日期; 金额最多两位小数。CSV 可为 UTF-8 或 GBK。
权限: 订单需「办理订单和预留」, 应收款需「登记收款」。
退出码 / exit codes: 0 成功, 1 有错误或失败, 2 用法错误`;

/** `steward ledger import <file>` and `steward ledger import undo <batch>`. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('进销存单据 (orders and receivables from the ERP)');
  ledger
    .command('import')
    .description('从 ERP 导出的 Excel/CSV 导入订单或应收款; 默认试运行 (import orders/receivables; dry run by default)')
    .argument('[file]', '.xlsx 或 .csv 文件; 或 "undo" (the file, or "undo")')
    .argument('[batch]', 'undo 时的导入批次号 (batch id for undo)')
    .option('--type <type>', '文件类型 orders 或 receivables (default: from the headers)')
    .option('--commit', '正式写入 (write; without it nothing is written)')
    .option('--partial', '只写入正确的行 (write the valid rows even if others fail)')
    .option('--snapshot', '整表快照: 文件里没有的文件来源未完成单据视为已关闭 (a full export: missing ones are closed)')
    .option('--sheet <name>', '工作表名 (sheet name; default the first)')
    .option('--errors-out <file>', '错误报告保存位置 (where to write the error workbook)')
    .option(
      '--as <operator>',
      '以该操作员身份 (operator e-mail / WeCom / DingTalk id; default STEWARD_OPERATOR or ADMIN_EMAIL)',
    )
    .option('--json', '输出 JSON 摘要 (machine-readable summary)')
    .addHelpText('after', HELP)
    .action((file: string | undefined, batch: string | undefined, flags: LedgerFlags) =>
      runAction(async () => {
        if (file === 'undo') {
          if (!batch) throw new UserFacingError('请给出要撤销的导入批次号, 例如: steward ledger import undo 12', 2);
          return runUndo(batch, flags);
        }
        if (!file)
          throw new UserFacingError(
            '请给出要导入的文件, 例如: steward ledger import 订单.xlsx (用 --help 查看更多)',
            2,
          );
        if (batch) throw new UserFacingError(`多余的参数「${batch}」。一次只能导入一个文件。`, 2);
        return runImport(file, flags);
      }),
    );
}

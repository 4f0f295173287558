import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import {
  exportCustomers,
  importCustomers,
  templateWorkbook,
  undoImport,
  type ExportFormat,
  type ImportReport,
} from '../../core/data/index.js';
import { localParts } from '../../core/customers/codes.js';
import { runAction, UserFacingError } from '../runtime.js';
import { registerBackupCommands } from './data-backup.js';
import { cliActor, output, progressBar, saveErrorReport, withCore } from './data-support.js';

interface ImportFlags {
  commit?: boolean;
  partial?: boolean;
  ignoreUnknown?: boolean;
  sheet?: string;
  as?: string;
  json?: boolean;
  template?: string;
  errorsOut?: string;
  mapColumn?: string[];
  source?: string;
  mapValue?: string[];
  createMissing?: boolean;
}

/** Collects a repeatable option (--map-column A=B --map-column C=D). */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** What the person should do next, given how the import went. */
function importNextStep(r: ImportReport): string | null {
  if (r.committed) return `已写入, 导入批次 #${r.batchId}。撤销: steward import undo ${r.batchId}`;
  if (!r.dryRun && r.failedRows.length)
    return '有错误, 没有写入任何数据。改正后重新导入, 或加 --partial 只导入正确的行。';
  if (r.dryRun)
    return r.failedRows.length
      ? '改正错误后再导入, 或加 --commit --partial 只导入正确的行。'
      : '确认无误后加 --commit 正式导入。';
  return null;
}

/** The first errors and suspected duplicates, so a long report stays readable. */
function importProblemLines(r: ImportReport): string[] {
  const lines: string[] = [];
  for (const e of r.errors.slice(0, 20)) lines.push(`  ✗ 第 ${e.row} 行 ${e.column}: ${e.message}`);
  if (r.errors.length > 20) lines.push(`  …… 共 ${r.errors.length} 条错误`);
  for (const d of r.duplicates.slice(0, 10))
    lines.push(`  ? 第 ${d.row} 行 可能与已有客户重复: ${d.matches.join('、')}`);
  return lines;
}

function importLines(r: ImportReport, errorReport: string | null): string[] {
  if (r.alreadyImported) {
    const a = r.alreadyImported;
    return [
      `这个文件 (${r.fileName}) 已在导入批次 #${a.batchId} 导入过 (${a.at.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${a.operatorName}), 本次没有任何改动。`,
      `如需重新导入, 先撤销: steward import undo ${a.batchId}`,
    ];
  }
  const where = r.sheet
    ? `${r.format === 'xls' ? '旧版 Excel .xls, ' : ''}工作表「${r.sheet}」`
    : `CSV, ${r.encoding?.toUpperCase()}`;
  const verb = r.committed ? '' : '将';
  const lines = [
    `${r.dryRun ? '[试运行, 未写入] ' : ''}${r.fileName} (${where})`,
    `${verb}新建 ${r.created}, ${verb}更新 ${r.updated}, 无变化 ${r.unchanged}, 跳过 ${r.skipped} (空行/合并行/合计行/表头上方的行), 错误 ${r.failedRows.length} 行, 疑似重复 ${r.duplicates.length}`,
    ...r.notices.map((n) => `  · ${n}`),
    ...importProblemLines(r),
  ];
  if (errorReport) lines.push(`错误报告 (改正后可直接重新导入): ${errorReport}`);
  const next = importNextStep(r);
  if (next) lines.push(next);
  return lines;
}

async function runImport(file: string, flags: ImportFlags): Promise<number> {
  return withCore(flags.json, async (core) => {
    const actor = await cliActor(core, flags.as);
    const bar = progressBar(!flags.json);
    const report = await importCustomers(core, actor, file, {
      commit: flags.commit,
      partial: flags.partial,
      ignoreUnknown: flags.ignoreUnknown,
      sheet: flags.sheet,
      mapColumns: flags.mapColumn,
      mapValues: flags.mapValue,
      createMissing: flags.createMissing,
      source: flags.source,
      onProgress: bar.update,
    }).finally(bar.stop);
    const errorReport = await saveErrorReport(report, file, flags.errorsOut);
    const { dryRun, created, updated, unchanged, skipped, errors, duplicates, batchId, unknownValues } = report;
    output(
      Boolean(flags.json),
      {
        dryRun,
        created,
        updated,
        unchanged,
        skipped,
        errors,
        duplicates,
        batchId,
        ...(unknownValues.length ? { unknownValues } : {}),
      },
      importLines(report, errorReport),
    );
    if (flags.json && report.alreadyImported) process.stderr.write(`${importLines(report, null)[0]}\n`);
    if (flags.json && errorReport) process.stderr.write(`错误报告: ${errorReport}\n`);
    if (flags.json && report.notices.length) process.stderr.write(`${report.notices.join('\n')}\n`);
    return report.failedRows.length && !(flags.partial && report.committed) ? 1 : 0;
  });
}

async function runUndo(batch: string, flags: ImportFlags): Promise<number> {
  return withCore(flags.json, async (core) => {
    const r = await undoImport(core, await cliActor(core, flags.as), batch);
    const lines = [
      `已撤销导入批次 #${r.batchId} (${r.fileName}): 删除了新建的 ${r.removed} 个客户, 恢复了 ${r.restored} 个客户的原值。`,
    ];
    if (r.touched.length)
      lines.push(
        `以下 ${r.touched.length} 行导入后又被改动或使用过, 未撤销:`,
        ...r.touched.slice(0, 30).map((t) => `  第 ${t.row} 行 ${t.code}: ${t.reason}`),
      );
    output(Boolean(flags.json), r, lines);
    return 0;
  });
}

const IMPORT_HELP = `
用法 / usage:
  steward import 客户.xlsx                    试运行: 只出报告, 不写入 (dry run, the default)
  steward import 客户.xlsx --commit           正式导入, 有任何错误则全部不写入 (all or nothing)
  steward import 客户.csv --commit --partial  只导入正确的行 (write the valid rows only)
  steward import 客户.xlsx --sheet 客户清单    指定工作表 (choose the sheet)
  steward import 信息内容.xls                 旧版 Excel (.xls), 如 jshERP 导出的客户; 表头上方的提示行自动跳过
  steward import 客户.csv --map-column 单位全称=客户名称 --map-column 片区=忽略
                                              指定列的对应关系 (可重复); 正式导入后按来源记住, 下次无需再加
  steward import 客户.xls --source 管家婆       按此来源名记住/使用列的对应关系 (默认: 工作表名, 或文件名)
  steward import 客户.xlsx --map-value 客户分类:零售=零售商 --map-value 区域:华东区=华东
                                              把表中没有的客户分类/区域值对应到已有名称 (可重复, 仅本次)
  steward import 客户.xlsx --create-missing   管理员: 表中没有的客户分类/区域值自动新增 (先试运行看将新增哪些)
  steward import 客户.xlsx --json             输出 JSON 摘要 (machine-readable summary)
  steward import undo 12                      撤销导入批次 #12 (undo batch 12)
  steward import --template 模板.xlsx          生成导入模板 (write the import template)
表头可用中文或英文: 客户编码/code 客户名称/name 联系人/contact 手机/phone 地址/address 客户分类/group 区域/region 负责人/owner 状态/status 备注/note
也认常见进销存的列名: 名称/单位名称/客户全称, 手机号码/移动电话, 联系电话/电话/座机 (手机为空时作手机, 否则记入备注),
  分类/客户类别, 地区/片区/销售区域 (区域), 纳税人识别号/税号、开户行、账号、电子邮箱、传真 (记入备注), 期初应收/税率/排序 (不导入); 状态可写 1/0、是/否、禁用
客户分类和区域填表中的名称或别名 (表由管理员在后台维护); 表中没有的值按值汇总报告一次, 并给出处理办法。
CSV 可为 UTF-8 (带或不带 BOM) 或 GBK。更新已有客户时, 空单元格表示「不修改」。
退出码 / exit codes: 0 成功, 1 有错误或失败, 2 用法错误`;

const EXPORT_HELP = `
用法 / usage:
  steward export                                   导出全部客户到 客户-<日期>.xlsx (all customers, dated file)
  steward export --format csv --out 客户.csv        CSV (UTF-8 带 BOM, Excel 可直接打开)
  steward export --format json --status inactive   只导出停用客户 (only inactive ones)
  steward export --reveal                          完整手机号和地址 (需「查看完整个人信息」权限, 记入审计)`;

function registerImport(program: Command): void {
  program
    .command('import')
    .description('从 Excel/CSV 导入客户; 默认试运行 (import customers from .xlsx/.xls/.csv; dry run by default)')
    .argument('[file]', '.xlsx、.xls 或 .csv 文件; 或 "undo" (the file, or "undo")')
    .argument('[batch]', 'undo 时的导入批次号 (batch id for undo)')
    .option('--commit', '正式写入 (write; without it nothing is written)')
    .option('--partial', '只写入正确的行 (write the valid rows even if others fail)')
    .option('--ignore-unknown', '忽略不认识的列 (ignore unknown columns)')
    .option('--sheet <name>', '工作表名 (sheet name; default the first)')
    .option(
      '--map-column <表头=字段>',
      '列的对应关系, 可重复 (map a header to a field; repeatable; remembered per source on commit)',
      collect,
    )
    .option(
      '--map-value <分类:值=名称>',
      '把文件里的值对应到表中的名称, 可重复, 例如 客户分类:零售=零售商 或 区域:华东区=华东 (map a 客户分类/区域 value; repeatable)',
      collect,
    )
    .option(
      '--create-missing',
      '自动新增客户分类/区域表中没有的值, 仅管理员 (admins: add missing list values; shown in the dry run)',
    )
    .option('--source <name>', '来源名, 用于记住列的对应关系 (source name the mapping is remembered under)')
    .option('--errors-out <file>', '错误报告保存位置 (where to write the error report)')
    .option('--template <out.xlsx>', '生成导入模板 (write the import template and exit)')
    .option(
      '--as <operator>',
      '以该操作员身份 (operator e-mail / WeCom / DingTalk id; default STEWARD_OPERATOR or ADMIN_EMAIL)',
    )
    .option('--json', '输出 JSON 摘要 (machine-readable summary)')
    .addHelpText('after', IMPORT_HELP)
    .action((file: string | undefined, batch: string | undefined, flags: ImportFlags) =>
      runAction(async () => {
        if (flags.template) {
          const out = flags.template;
          // The template's drop-downs are the company's current 客户分类 and 区域.
          return withCore(flags.json, async (core) => {
            fs.writeFileSync(out, await templateWorkbook(core));
            output(Boolean(flags.json), { path: path.resolve(out) }, [`已生成导入模板: ${path.resolve(out)}`]);
            return 0;
          });
        }
        if (file === 'undo') {
          if (!batch) throw new UserFacingError('请给出要撤销的导入批次号, 例如: steward import undo 12', 2);
          return runUndo(batch, flags);
        }
        if (!file)
          throw new UserFacingError('请给出要导入的文件, 例如: steward import 客户.xlsx (用 --help 查看更多)', 2);
        if (batch) throw new UserFacingError(`多余的参数「${batch}」。一次只能导入一个文件。`, 2);
        return runImport(file, flags);
      }),
    );
}

interface ExportFlags {
  format: ExportFormat;
  status?: string;
  out?: string;
  reveal?: boolean;
  as?: string;
  json?: boolean;
}
const STATUS_ARGS: Record<string, 'active' | 'inactive' | 'deleted'> = {
  active: 'active',
  启用: 'active',
  inactive: 'inactive',
  停用: 'inactive',
  deleted: 'deleted',
  已删除: 'deleted',
};

function registerExport(program: Command): void {
  program
    .command('export')
    .description('导出客户 (export customers, streaming)')
    .addOption(
      new Option('--format <format>', '文件格式 (file format)').choices(['csv', 'xlsx', 'json']).default('xlsx'),
    )
    .option('--status <status>', '只导出该状态: active/启用, inactive/停用, deleted/已删除')
    .option('--out <file>', '输出文件 (default 客户-<date>.<format>)')
    .option('--reveal', '导出完整手机号和地址 (needs revealPersonal; audited)')
    .option('--as <operator>', '以该操作员身份 (operator e-mail / WeCom / DingTalk id)')
    .option('--json', '输出 JSON 摘要')
    .addHelpText('after', EXPORT_HELP)
    .action((flags: ExportFlags) =>
      runAction(async () => {
        const status = flags.status ? STATUS_ARGS[flags.status.trim().toLowerCase()] : undefined;
        if (flags.status && !status)
          throw new UserFacingError(
            `--status 只能是 active/启用, inactive/停用 或 deleted/已删除, 不是「${flags.status}」。`,
            2,
          );
        return withCore(flags.json, async (core) => {
          const { year, month, day } = localParts(core.now(), core.config.STEWARD_TIMEZONE);
          const out = path.resolve(flags.out ?? `客户-${year}-${month}-${day}.${flags.format}`);
          const bar = progressBar(!flags.json);
          const r = await exportCustomers(core, await cliActor(core, flags.as), out, {
            format: flags.format,
            status,
            reveal: flags.reveal,
            onProgress: bar.update,
          }).finally(bar.stop);
          output(Boolean(flags.json), r, [
            `已导出 ${r.rows} 个客户到 ${r.path}${r.revealed ? ' (含完整手机号和地址, 已记入审计)' : ' (手机和地址已打码; 有权限者可加 --reveal)'}`,
          ]);
          return 0;
        });
      }),
    );
}

/** `steward import`, `export`, `backup`, `backup verify`, `backup list`, `restore`. */
export function registerDataCommands(program: Command): void {
  registerImport(program);
  registerExport(program);
  registerBackupCommands(program);
}

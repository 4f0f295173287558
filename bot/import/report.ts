import { localTime } from '../../core/deletion/approvals.js';
import type { Core } from '../../core/context.js';
import type { ImportReport } from '../../core/data/index.js';
import { buttonId } from '../buttons.js';
import type { Reply } from '../types.js';
import type { PendingImport } from './staging.js';

const SHOWN_ERRORS = 10;
const SHOWN_DUPLICATES = 5;
/** Where a user finds the template and the full error report: the back office's import action. */
export const BACK_OFFICE_IMPORT = '后台「导入批次 → 导入客户」';

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The dry run as one chat message: counts, the first errors as 「第 N 行 列名: 原因」, duplicate candidates. */
export function dryRunReply(r: ImportReport): Reply {
  const where = r.format !== 'csv' ? `工作表「${r.sheet}」` : `CSV, ${(r.encoding ?? 'utf-8').toUpperCase()}`;
  const lines = [
    `文件: ${r.fileName} (${where})`,
    `新增 ${r.created} · 更新 ${r.updated} · 不变 ${r.unchanged} · 跳过 ${r.skipped} · 错误 ${r.failedRows.length} 行`,
  ];
  if (r.skipped) lines.push('(跳过的是空行、标题行、合计行和模板示例行)');
  for (const n of r.notices ?? []) lines.push(`· ${n}`);
  if (r.errors.length) {
    const more = r.errors.length > SHOWN_ERRORS ? `, 只列出前 ${SHOWN_ERRORS} 处` : '';
    lines.push('', `错误 (共 ${r.errors.length} 处${more}):`);
    for (const e of r.errors.slice(0, SHOWN_ERRORS)) lines.push(`第 ${e.row} 行 ${e.column}: ${cut(e.message, 80)}`);
    if (r.errors.length > SHOWN_ERRORS) lines.push(`完整的错误报告: 在${BACK_OFFICE_IMPORT}上传同一文件预检后可下载。`);
  }
  if (r.duplicates.length) {
    lines.push('', `疑似重复 ${r.duplicates.length} 行 (不影响导入, 请核对):`);
    for (const d of r.duplicates.slice(0, SHOWN_DUPLICATES))
      lines.push(`第 ${d.row} 行 可能与已有客户 ${d.matches.slice(0, 3).join('、')} 重复`);
    if (r.duplicates.length > SHOWN_DUPLICATES) lines.push(`…… 另有 ${r.duplicates.length - SHOWN_DUPLICATES} 行`);
  }
  return { title: '导入预检 (试运行, 尚未写入)', text: lines.join('\n') };
}

/** How a chat user fixes 客户分类 / 区域 values the lists lack: the CLI's --map-value and --create-missing as answers. */
export const VALUE_FIX_HINT =
  '• 表中没有的客户分类/区域值: 回复「映射 客户分类:文件里的值=表中的名称」对应到已有的值 (区域写「映射 区域:…=…」; 一次可写多条, 用空格分开), 我会重新试运行; 管理员也可以回复「新建缺失」把这些值新增到表里 (同样先试运行);';

/**
 * What the user can do next: 确认导入 (or, with errors, 确认导入 … 部分) and 取消, as text and
 * buttons; with values a 映射 could fix, how to answer with one.
 */
export function nextStepReply(p: PendingImport, ttlSeconds: number): Reply {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  const fix = p.openValues ? [VALUE_FIX_HINT] : [];
  if (!p.errorRows) {
    return {
      text: `确认无误请在 ${minutes} 分钟内回复「确认导入 ${p.key}」写入; 回复「取消」放弃。`,
      buttons: [
        { id: buttonId('confirm', p.key), text: '确认导入' },
        { id: buttonId('cancel'), text: '取消' },
      ],
    };
  }
  if (!p.writable) {
    return {
      text: [
        `现在没有可以写入的行 (${p.errorRows} 行出错), 还不能确认导入。`,
        ...fix,
        '• 或改正后重新发送文件;',
        `• 回复「取消」放弃 (${minutes} 分钟内不回复也会自动放弃)。`,
      ].join('\n'),
      buttons: [{ id: buttonId('cancel'), text: '取消' }],
    };
  }
  return {
    text: [
      `有 ${p.errorRows} 行出错。导入默认「全部成功才写入」: 不改正文件, 就不会写入任何数据。`,
      ...fix,
      '• 改正后重新发送文件 (推荐);',
      `• 或在 ${minutes} 分钟内回复「确认导入 ${p.key} 部分」, 只写入正确的 ${p.writable} 行, 出错的行跳过;`,
      '• 回复「取消」放弃。',
    ].join('\n'),
    buttons: [
      { id: buttonId('confirm-partial', p.key), text: '只导入正确的行' },
      { id: buttonId('cancel'), text: '取消' },
    ],
  };
}

/** The same file was committed before: core changed nothing, and says when and by whom. */
export function alreadyImportedText(core: Core, r: ImportReport): string {
  const a = r.alreadyImported!;
  return `这个文件 (${r.fileName}) 已于 ${localTime(core, a.at)} 由 ${a.operatorName} 导入过 (导入批次 #${a.batchId}), 本次没有任何改动。如需重新导入, 请先在后台「导入批次」里撤销该批次。`;
}

/** A dry run that leaves nothing to confirm: every row failed, or nothing differs from what is stored. */
export function nothingToConfirm(r: ImportReport): string | null {
  if (r.created + r.updated > 0) return null;
  if (r.failedRows.length) return '所有数据行都有错误, 没有可以写入的行。请按上面的提示改正后重新发送文件。';
  return '文件里的客户和系统里的完全一致, 没有需要写入的改动。';
}

/** The outcome of 确认导入. */
export function commitReply(core: Core, r: ImportReport): Reply {
  if (r.alreadyImported) return { text: alreadyImportedText(core, r) };
  if (r.committed) {
    const skipped = r.failedRows.length ? `, 出错未导入 ${r.failedRows.length} 行` : '';
    return {
      title: '导入完成',
      text: `已导入「${r.fileName}」: 新增 ${r.created}, 更新 ${r.updated}, 不变 ${r.unchanged}, 跳过 ${r.skipped}${skipped}。\n导入批次 #${r.batchId}。如需撤销, 请在后台「导入批次」里撤销, 或用命令行 steward import undo ${r.batchId}。`,
    };
  }
  if (r.failedRows.length) {
    return {
      text: `没有导入: 有 ${r.failedRows.length} 行出错, 全部导入模式下一行都没有写入。请改正后重新发送文件, 或回复时加上「部分」只写入正确的行。`,
    };
  }
  return { text: '没有导入: 文件里没有需要写入的行。' };
}

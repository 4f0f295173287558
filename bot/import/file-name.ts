import { formatByContent, formatByName } from '../../core/data/formats.js';
import { FileFetchError } from '../files/fetch.js';
import { BACK_OFFICE_IMPORT } from './report.js';

const quoted = (name: string | null) => (name ? `「${name}」` : '');

/** The refusal for a file that is not .xlsx/.csv: which formats work and where the template is. */
export function unsupportedText(name: string | null, xls = false): string {
  const old = xls ? ' 旧版 Excel (.xls) 请先在 Excel 里「另存为 → Excel 工作簿 (.xlsx)」。' : '';
  return `${quoted(name) || '这个文件'}不能导入: 只支持 Excel 工作簿 (.xlsx / .xls) 和 CSV (.csv) 文件。${old}请按「导入模板」填写客户: 模板在${BACK_OFFICE_IMPORT}里下载 (或命令行 steward import --template 模板.xlsx)。`;
}

/** Before downloading: refuses a name whose extension says it is not importable (no extension: judged later by content). */
export function refuseByName(name: string | null): string | null {
  const format = name ? formatByName(name) : null;
  return format === 'other' ? unsupportedText(name) : null;
}

/**
 * After downloading: the name to import under. Some messengers give no name or one without an
 * extension (DingTalk's fileName may lack it); then the bytes decide, as core decides them.
 */
export function importName(name: string | null, data: Buffer): { name: string } | { refuse: string } {
  const base = (name ?? '').trim();
  const refused = refuseByName(base);
  if (refused) return { refuse: refused };
  if (base && formatByName(base)) return { name: base };
  const format = formatByContent(data);
  if (format === 'binary') return { refuse: unsupportedText(base || null) };
  return { name: `${base || '聊天文件'}.${format}` };
}

/** A failed download in words a user can act on. */
export function downloadFailureText(err: unknown, name: string | null, maxMb: number): string {
  const kind = err instanceof FileFetchError ? err.kind : 'download';
  const file = quoted(name) || '文件';
  switch (kind) {
    case 'too-large':
      return `${file}超过 ${maxMb} MB, 聊天导入最多 ${maxMb} MB, 没有导入。请拆成几个文件分别发送, 或在${BACK_OFFICE_IMPORT}上传。`;
    case 'decrypt':
      return `${file}解密失败, 读不出内容, 没有导入。请重新发送一次; 仍不行请联系管理员检查机器人的 EncodingAESKey 配置。`;
    case 'not-found':
      return `找不到${file}: 文件不存在或不是普通文件。请检查路径。`;
    default:
      return `下载${file}失败 (聊天平台没有给出文件, 链接可能已过期), 没有导入。请重新发送一次文件; 仍不行请在${BACK_OFFICE_IMPORT}上传。`;
  }
}

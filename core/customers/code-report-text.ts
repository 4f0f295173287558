import type { CodeReport } from './code-report.js';

/** The code report in words (chat 编码检查, `steward codes check`); `limit` codes per section. */
export function codeReportText(r: CodeReport, limit = Infinity): string {
  const lines = [`编码检查 (当前规则 ${r.rule})`];
  const more = (n: number) => (n > limit ? ` (列出前 ${limit} 个)` : '');
  if (!r.offRule.length) lines.push('不符合规则的编码: 无');
  else
    lines.push(
      `不符合规则的编码 ${r.offRule.length} 个${more(r.offRule.length)}: ${r.offRule.slice(0, limit).join('、')}`,
    );
  if (!r.nearDuplicates.length) lines.push('近似编码 (只差大小写、全半角或分隔符): 无');
  else {
    lines.push(`近似编码 ${r.nearDuplicates.length} 组${more(r.nearDuplicates.length)}:`);
    for (const g of r.nearDuplicates.slice(0, limit)) lines.push(`• ${g.join(' ≈ ')}`);
  }
  if (r.offRule.length || r.nearDuplicates.length)
    lines.push(
      '整理方法: 「改编码 <旧编码> <新编码> [原因]」逐个改, 或在后台「编码检查」页用「批量改编码」上传两列表格 (旧编码, 新编码)。旧编码会一直作为别名可查。',
    );
  return lines.join('\n');
}

import type { CodeGroup, CodeStats, GapNumber, SequenceGaps } from './code-stats.js';

/** Why a number is free, in words. */
export function gapReasonText(g: GapNumber): string {
  switch (g.reason) {
    case 'deleted':
      return '已删除 (在回收站)';
    case 'purged':
      return '已删除, 回收站已清除';
    case 'merged':
      return `已并入 ${g.to ?? '其他客户'}`;
    case 'recoded':
      return `已改为 ${g.to ?? '新编码'}`;
    default:
      return '原因不明 (升级前的记录, 或有人直接改过数据库)';
  }
}

function groupLine(g: CodeGroup): string {
  const year = g.year ? `${g.year} 年` : '不分年';
  const counter = g.nextValue ? `, 计数器到 ${g.nextValue - 1}` : '';
  return `• ${g.rule}${g.current ? ' (当前)' : ''} 前缀 ${g.prefix || '(无)'} ${year}: ${g.count} 个${counter}`;
}

/** One counter's gaps: a title with the count, then the first `gapLimit` numbers with their reasons. */
function gapLines(gap: SequenceGaps, gapLimit: number): string[] {
  const title = `${gap.year ? `${gap.year} 年` : '当前规则'}编号空缺: ${gap.missing} 个`;
  if (!gap.missing) return [`${title}`];
  const listed = Math.min(gapLimit, gap.numbers.length);
  return [
    `${title}${gap.missing > listed ? ` (列出前 ${listed} 个)` : ''}:`,
    ...gap.numbers.slice(0, gapLimit).map((g) => `  ${g.code ?? `第 ${g.seq} 号`} — ${gapReasonText(g)}`),
  ];
}

/** 编码统计 as chat and `steward codes stats` show it. */
export function codeStatsText(s: CodeStats, gapLimit = 10): string {
  const lines = [`编码统计 (当前规则 ${s.rule}, ${s.reset === 'yearly' ? '每年重新编号' : '连续编号'})`];
  lines.push(
    `客户编码共 ${s.total} 个: 自动生成 ${s.origins.auto}, 手工填写 ${s.origins.manual}, 改编码 ${s.origins.recode}`,
  );
  lines.push(`不符合当前规则: ${s.offRule} 个${s.offRule ? ' (发送「编码检查」查看明细)' : ''}`);
  if (s.groups.length) {
    lines.push('按规则/前缀/年份:');
    for (const g of s.groups) lines.push(groupLine(g));
  }
  for (const gap of s.gaps) lines.push(...gapLines(gap, gapLimit));
  lines.push(`下一个自动编码: ${s.next}`);
  lines.push('(建档失败不会留下空号: 编号和建档在同一事务里, 失败时一起撤回。)');
  return lines.join('\n');
}

import { codeReport } from '../../core/customers/code-report.js';
import { codeReportText } from '../../core/customers/code-report-text.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { codeStatsText } from '../../core/customers/code-stats-text.js';
import type { CommandSpec } from './registry.js';

/** Codes listed per section in one chat reply; the back office lists them all. */
const CHAT_LIMIT = 20;

/** 编码统计: counts per rule and year, auto vs manual, off-rule, gaps with reasons, the next code. */
export const codeStatsCommand: CommandSpec = {
  id: 'codes.stats',
  name: '编码统计',
  english: 'code-stats',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '客户编码统计: 按规则/年份的数量、自动与手工、不合规则、编号空缺及原因、下一个编码',
  example: '编码统计',
  async run(ctx) {
    return { title: '编码统计', text: codeStatsText(await codeStats(ctx.core)) };
  },
};

/** 编码检查: the off-rule and near-duplicate report (also in the back office and `steward check`). */
export const codeCheckCommand: CommandSpec = {
  id: 'codes.check',
  name: '编码检查',
  english: 'code-check',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '列出不符合编码规则的编码和只差大小写/全半角/分隔符的近似编码',
  example: '编码检查',
  async run(ctx) {
    return { title: '编码检查', text: codeReportText(await codeReport(ctx.core), CHAT_LIMIT) };
  },
};

import type { Command } from 'commander';
import type { Core } from '../../core/context.js';
import { codeReport } from '../../core/customers/code-report.js';
import { codeReportText } from '../../core/customers/code-report-text.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { codeStatsText } from '../../core/customers/code-stats-text.js';
import { openReadyCore, runAction } from '../runtime.js';
import { cliActor, usingCore as using } from './data-support.js';
import { assertCan } from '../../core/permissions.js';

/** Where the commands get their core (tests pass their own and keep it open). */
export interface CoreSource {
  open(): Promise<Core>;
  close(core: Core): Promise<void>;
}

const processCore: CoreSource = { open: () => openReadyCore(), close: (core) => core.models.sequelize.close() };

const AS = ['--as <operator>', '以哪个操作员执行 (邮箱或聊天账号), 默认 STEWARD_OPERATOR 或 ADMIN_EMAIL'] as const;

/** `steward codes stats|check|recode`: customer code statistics, the off-rule report, recoding. */
export function registerCodes(program: Command, source: CoreSource = processCore): void {
  const cmd = program.command('codes').description('客户编码: 统计、检查、批量改编码 (customer codes)');
  cmd.command('stats').description('编码统计: 按规则/前缀/年份的数量、自动与手工、不合规则、编号空缺及原因、下一个编码')
    .option('--json', '输出 JSON', false)
    .option(...AS)
    .action((o: { json: boolean; as?: string }) => runAction(() => using(source, o.json, async (core) => {
      assertCan((await cliActor(core, o.as)).operator, 'view');
      const stats = await codeStats(core);
      process.stdout.write(o.json ? `${JSON.stringify(stats)}\n` : `${codeStatsText(stats, 50)}\n`);
    })));
  cmd.command('check').description('编码检查: 不符合规则的编码和近似编码 (与 steward check 中的编码部分相同)')
    .option('--json', '输出 JSON', false)
    .option(...AS)
    .action((o: { json: boolean; as?: string }) => runAction(() => using(source, o.json, async (core) => {
      assertCan((await cliActor(core, o.as)).operator, 'view');
      const report = await codeReport(core);
      process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : `${codeReportText(report)}\n`);
    })));
}

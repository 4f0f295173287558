import type { Command } from 'commander';
import type { Core } from '../../core/context.js';
import { codeReport } from '../../core/customers/code-report.js';
import { codeReportText } from '../../core/customers/code-report-text.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { codeStatsText } from '../../core/customers/code-stats-text.js';
import { commandCore, runAction, type CoreSource } from '../runtime.js';
import { cliActor, usingCore as using } from './data-support.js';
import { assertCan } from '../../core/permissions.js';
import { recodePlanText } from '../../core/customers/recode/format.js';
import { previewRecode, requestRecode } from '../../core/customers/recode/request.js';
import { readRecodeSheet } from '../../core/customers/recode/sheet.js';
import { localTime } from '../../core/deletion/approvals.js';
import path from 'node:path';

const AS = ['--as <operator>', '以哪个操作员执行 (邮箱或聊天账号), 默认 STEWARD_OPERATOR 或 ADMIN_EMAIL'] as const;

interface RecodeOptions {
  reason: string;
  commit: boolean;
  as?: string;
}

/** Shows the recode plan from a sheet and, with --commit, files it for approval; 1 when the sheet has problems. */
async function recodeFromSheet(core: Core, file: string, o: RecodeOptions): Promise<number> {
  const actor = await cliActor(core, o.as);
  const pairs = await readRecodeSheet(core, path.resolve(file), path.basename(file));
  const plan = await previewRecode(core, actor, pairs);
  process.stdout.write(`${recodePlanText(plan, o.reason, 200)}\n`);
  if (plan.problems.length) return 1;
  if (!o.commit) {
    process.stdout.write('只试运行, 没有提交。确认无误后加 --commit 提交改编码申请。\n');
    return 0;
  }
  const { recode } = await requestRecode(core, actor, pairs, o.reason);
  process.stdout.write(
    `已提交改编码申请 #${recode.id} (${plan.rows.length} 个客户), 请审批人在 ${localTime(core, recode.expiresAt)} 前「批准改编码 ${recode.id}」。\n`,
  );
  return 0;
}

/** `steward codes stats|check|recode`: customer code statistics, the off-rule report, recoding. */
export function registerCodes(program: Command, source: CoreSource = commandCore): void {
  const cmd = program.command('codes').description('客户编码: 统计、检查、批量改编码 (customer codes)');
  cmd
    .command('stats')
    .description('编码统计: 按规则/前缀/年份的数量、自动与手工、不合规则、编号空缺及原因、下一个编码')
    .option('--json', '输出 JSON', false)
    .option(...AS)
    .action((o: { json: boolean; as?: string }) =>
      runAction(() =>
        using(source, o.json, async (core) => {
          assertCan((await cliActor(core, o.as)).operator, 'view');
          const stats = await codeStats(core);
          process.stdout.write(o.json ? `${JSON.stringify(stats)}\n` : `${codeStatsText(stats, 50)}\n`);
        }),
      ),
    );
  cmd
    .command('check')
    .description('编码检查: 不符合规则的编码和近似编码 (与 steward check 中的编码部分相同)')
    .option('--json', '输出 JSON', false)
    .option(...AS)
    .action((o: { json: boolean; as?: string }) =>
      runAction(() =>
        using(source, o.json, async (core) => {
          assertCan((await cliActor(core, o.as)).operator, 'view');
          const report = await codeReport(core);
          process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : `${codeReportText(report)}\n`);
        }),
      ),
    );
  cmd
    .command('recode <file>')
    .description('批量改编码: 两列表格 (旧编码, 新编码) .xlsx/.xls/.csv; 默认只试运行, 加 --commit 提交审批')
    .option('--reason <text>', '改编码原因', '整理编码')
    .option('--commit', '提交改编码申请 (否则只试运行); 由另一位审批人「批准改编码」后执行', false)
    .option(...AS)
    .addHelpText(
      'after',
      '\n例子 (example):\n  steward codes recode 改编码.xlsx\n  steward codes recode 改编码.xlsx --commit --reason 统一编码规则',
    )
    .action((file: string, o: RecodeOptions) =>
      runAction(() => using(source, false, (core) => recodeFromSheet(core, file, o))),
    );
}

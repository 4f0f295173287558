import fs from 'node:fs';
import type { Command } from 'commander';
import { auditVerificationText, verifyAudit } from '../../core/audit/compare.js';
import {
  appendCheckpointFile,
  checkpointText,
  parseCheckpoint,
  takeCheckpoint,
  type FoundCheckpoint,
} from '../../core/audit/checkpoint.js';
import type { Core } from '../../core/context.js';
import { runAction, UserFacingError, withCore } from '../runtime.js';

/** A checkpoint given on the command line: the JSON line (as in the 审计校验点 message) or a file holding it. */
function givenCheckpoint(value: string | undefined): FoundCheckpoint[] {
  if (!value) return [];
  const text = fs.existsSync(value) ? fs.readFileSync(value, 'utf8') : value;
  const checkpoint = parseCheckpoint(text);
  if (!checkpoint)
    throw new UserFacingError(
      `--checkpoint 不是校验点: 请粘贴「审计校验点」消息里的那行 JSON ({"id":…,"hash":…,"count":…,"at":…,"sig":…}), 或给出包含它的文件。`,
    );
  return [{ checkpoint, source: '命令行给出的校验点' }];
}

/** Runs the check and prints it; exit 1 when a problem was found. */
export async function auditVerify(
  core: Core,
  opts: { checkpoint?: string; json?: boolean },
  out: (s: string) => void,
): Promise<number> {
  const result = await verifyAudit(core, givenCheckpoint(opts.checkpoint));
  out(opts.json ? `${JSON.stringify(result)}\n` : `${auditVerificationText(result)}\n`);
  return result.ok ? 0 : 1;
}

/** `steward audit verify` and `steward audit checkpoint`. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('审计链: 校验与校验点 (audit chain verification and checkpoints)');
  audit
    .command('verify')
    .description(
      '校验审计链 (用 STEWARD_AUDIT_KEY), 并与最新的校验点 (DATA_DIR/audit-checkpoints.jsonl、备份清单、--checkpoint) 比对',
    )
    .option('--checkpoint <json|file>', '另外比对这个校验点, 例如管理员群里「审计校验点」消息中的 JSON 行')
    .option('--json', '输出 JSON', false)
    .action((o: { checkpoint?: string; json: boolean }) =>
      runAction(() => withCore((core) => auditVerify(core, o, (s) => process.stdout.write(s)))),
    );
  audit
    .command('checkpoint')
    .description(
      '立即记录一个校验点到 DATA_DIR/audit-checkpoints.jsonl 并打印 (每日任务 audit-checkpoint 也会发给管理员)',
    )
    .action(() =>
      runAction(() =>
        withCore(async (core) => {
          const c = await takeCheckpoint(core);
          appendCheckpointFile(core.config, c, 'cli');
          process.stdout.write(`${checkpointText(c)}\n`);
        }),
      ),
    );
}

import os from 'node:os';
import type { Command } from 'commander';
import type { Actor, Core } from '../../core/context.js';
import { resetPassword } from '../../core/credentials/admin-account.js';
import { clearLoginDelays } from '../../core/credentials/throttle.js';
import { findOperator } from '../../core/operators.js';
import { commandCore, runAction, type CoreSource } from '../runtime.js';
import { usingCore as using } from './data-support.js';

/**
 * Who runs these: the shell user with admin rights. They are the way back when nobody can log in
 * to the back office, and whoever runs them already holds the database credentials.
 */
function shellActor(): Actor {
  return {
    door: 'cli',
    operator: {
      id: null,
      displayName: `命令行:${os.userInfo().username}`.slice(0, 100),
      active: true,
      roleList: () => ['admin'],
    },
  };
}

async function loginOperator(core: Core, email: string) {
  const op = await findOperator(core, email);
  if (!op.email) throw new Error(`操作员 ${op.displayName} 没有登录邮箱。`);
  return op;
}

/** `steward admin reset-password|unlock`: the way back into the back office. */
export function registerAdmin(program: Command, source: CoreSource = commandCore): void {
  const cmd = program.command('admin').description('后台账号: 重置密码、解除登录限制 (back-office accounts)');
  cmd
    .command('reset-password')
    .description('为操作员生成一次性密码 (登录后须立即修改), 并退出其所有后台登录')
    .argument('<email>', '操作员的登录邮箱')
    .addHelpText('after', '\n例子 (example):\n  steward admin reset-password admin@example.com')
    .action((email: string) =>
      runAction(() =>
        using(source, false, async (core) => {
          const { operator, password, sessionsEnded } = await resetPassword(
            core,
            shellActor(),
            await loginOperator(core, email),
          );
          process.stdout.write(
            `已重置操作员 ${operator.displayName} (${operator.email}) 的后台密码。\n一次性密码 (只显示这一次): ${password}\n登录后须先设置新密码。已退出其 ${sessionsEnded} 个后台登录, 并解除了登录限制。\n`,
          );
        }),
      ),
    );
  cmd
    .command('unlock')
    .description('解除操作员因多次输错密码而产生的登录等待')
    .argument('<email>', '操作员的登录邮箱')
    .action((email: string) =>
      runAction(() =>
        using(source, false, async (core) => {
          const op = await loginOperator(core, email);
          const cleared = await clearLoginDelays(core, op.email!);
          process.stdout.write(
            cleared
              ? `已解除 ${op.displayName} (${op.email}) 的登录限制 (${cleared} 条)。\n`
              : `${op.displayName} (${op.email}) 目前没有登录限制。\n`,
          );
        }),
      ),
    );
}

import type { Command } from 'commander';
import type { Core } from '../../core/context.js';
import {
  channelLabel,
  checkOperatorInput,
  findOperator,
  linkIdentity,
  listOperators,
  saveOperator,
  unlinkIdentity,
} from '../../core/operators.js';
import { ROLE_LABELS } from '../../core/permissions.js';
import { commandCore, runAction, UserFacingError, type CoreSource } from '../runtime.js';
import { cliActor, usingCore as using } from './data-support.js';

const AS = ['--as <operator>', '以哪个操作员执行 (邮箱或聊天账号), 默认 STEWARD_OPERATOR 或 ADMIN_EMAIL'] as const;
const OPERATOR = ['--operator <ref>', '操作员: 编号、登录邮箱或姓名'] as const;
const CHANNEL = ['--channel <id>', '渠道 ID: wecom (企业微信)、dingtalk (钉钉)、feishu (飞书) 等'] as const;

interface SetOptions {
  operator: string;
  name?: string;
  email?: string;
  roles?: string;
  active?: string;
  as?: string;
}

/** Changes an operator through core's saveOperator: the back office's rules, self-lock-out guard and audit. */
async function setOperator(core: Core, o: SetOptions): Promise<void> {
  const actor = await cliActor(core, o.as);
  const target = await findOperator(core, o.operator);
  const active =
    o.active === undefined
      ? undefined
      : ['true', 'yes', '是', '启用'].includes(o.active)
        ? true
        : ['false', 'no', '否', '停用'].includes(o.active)
          ? false
          : o.active;
  if (typeof active === 'string') throw new UserFacingError(`--active 应为 true 或 false, 收到的是「${active}」。`, 2);
  const form = checkOperatorInput({ displayName: o.name, email: o.email, roles: o.roles, active }, false);
  if (!Object.keys(form).length)
    throw new UserFacingError('请至少指定一项修改: --name、--email、--roles 或 --active。', 2);
  const saved = await saveOperator(core, actor, target.id, form);
  const roles = saved
    .roleList()
    .map((r) => ROLE_LABELS[r])
    .join('、');
  process.stdout
    .write(`已修改操作员 ${saved.displayName} (#${saved.id}): ${saved.email ?? '无邮箱'}, 角色 ${roles}${saved.active ? '' : ', 已停用'}。
`);
}

/** Every operator with the chat accounts the bot knows them by, as lines or as JSON. */
async function printOperators(core: Core, o: { as?: string; json: boolean }): Promise<void> {
  const rows = await listOperators(core, await cliActor(core, o.as));
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify(rows.map(({ operator: op, identities }) => ({ id: op.id, displayName: op.displayName, email: op.email, roles: op.roleList(), active: op.active, identities })))}\n`,
    );
    return;
  }
  const line = ({ operator: op, identities }: (typeof rows)[number]) => {
    const chat =
      identities.map((i) => `${channelLabel(i.channel)}(${i.channel}): ${i.externalId}`).join(', ') || '未关联聊天账号';
    return `#${op.id}\t${op.displayName}\t${op.email ?? '-'}\t${op.roleList().join(',')}${op.active ? '' : '\t已停用'}\t${chat}`;
  };
  process.stdout.write(rows.length ? `${rows.map(line).join('\n')}\n` : '还没有操作员。\n');
}

/** `steward operators list|set|link|unlink`: operators, and who the bot recognises on which messenger. */
export function registerOperators(program: Command, source: CoreSource = commandCore): void {
  const cmd = program
    .command('operators')
    .description('操作员及其聊天账号: 列出、修改、关联、解除关联 (operators and their chat accounts)');
  cmd
    .command('list')
    .description('列出全部操作员和已关联的聊天账号')
    .option(...AS)
    .option('--json', '输出 JSON', false)
    .action((o: { as?: string; json: boolean }) =>
      runAction(() => using(source, o.json, (core) => printOperators(core, o))),
    );
  cmd
    .command('set')
    .description('修改操作员的姓名、登录邮箱、角色或启用状态 (与后台同一规则; 不能停用自己或去掉自己的管理员角色)')
    .requiredOption(...OPERATOR)
    .option('--name <name>', '姓名')
    .option('--email <email>', '登录邮箱 (空字符串表示清除)')
    .option(
      '--roles <roles>',
      `角色, 逗号分隔: ${Object.entries(ROLE_LABELS)
        .map(([k, v]) => `${k} (${v})`)
        .join(', ')}`,
    )
    .option('--active <true|false>', '启用 (true) 或停用 (false)')
    .option(...AS)
    .addHelpText('after', '\n例子 (example):\n  steward operators set --operator 张三 --roles 销售,审批人')
    .action((o: SetOptions) => runAction(() => using(source, false, (core) => setOperator(core, o))));
  registerChatAccounts(cmd, source);
}

/** `link` and `unlink`: which chat account on which messenger is this operator. */
function registerChatAccounts(cmd: Command, source: CoreSource): void {
  cmd
    .command('link')
    .description('把一个聊天账号关联到操作员 (同一渠道已有账号时替换)')
    .requiredOption(...OPERATOR)
    .requiredOption(...CHANNEL)
    .requiredOption('--external-id <id>', '该渠道里的用户 ID (企业微信 UserID、钉钉 userId、飞书 open_id…)')
    .option(...AS)
    .addHelpText(
      'after',
      '\n例子 (example):\n  steward operators link --operator 张三 --channel wecom --external-id zhangsan',
    )
    .action((o: { operator: string; channel: string; externalId: string; as?: string }) =>
      runAction(() =>
        using(source, false, async (core) => {
          const actor = await cliActor(core, o.as);
          const target = await findOperator(core, o.operator);
          const { operator, identity, replaced } = await linkIdentity(core, actor, target.id, o.channel, o.externalId);
          process.stdout.write(
            `已将${channelLabel(identity.channel)}账号 ${identity.externalId} 关联到操作员 ${operator.displayName} (#${operator.id})${replaced ? `, 替换了原账号 ${replaced}` : ''}。\n`,
          );
        }),
      ),
    );
  cmd
    .command('unlink')
    .description('解除操作员在一个渠道上的聊天账号')
    .requiredOption(...OPERATOR)
    .requiredOption(...CHANNEL)
    .option(...AS)
    .action((o: { operator: string; channel: string; as?: string }) =>
      runAction(() =>
        using(source, false, async (core) => {
          const actor = await cliActor(core, o.as);
          const target = await findOperator(core, o.operator);
          const { operator, identity } = await unlinkIdentity(core, actor, target.id, o.channel);
          process.stdout.write(
            `已解除操作员 ${operator.displayName} (#${operator.id}) 的${channelLabel(identity.channel)}账号 ${identity.externalId}。\n`,
          );
        }),
      ),
    );
}

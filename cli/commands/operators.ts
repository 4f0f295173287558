import type { Command } from 'commander';
import type { Core } from '../../core/context.js';
import { channelLabel, findOperator, linkIdentity, listOperators, unlinkIdentity } from '../../core/operators.js';
import { openReadyCore, runAction } from '../runtime.js';
import { cliActor, usingCore as using } from './data-support.js';

/** Where the commands get their core (tests pass their own and keep it open). */
export interface CoreSource {
  open(): Promise<Core>;
  close(core: Core): Promise<void>;
}

const processCore: CoreSource = { open: () => openReadyCore(), close: (core) => core.models.sequelize.close() };

const AS = ['--as <operator>', '以哪个操作员执行 (邮箱或聊天账号), 默认 STEWARD_OPERATOR 或 ADMIN_EMAIL'] as const;
const OPERATOR = ['--operator <ref>', '操作员: 编号、登录邮箱或姓名'] as const;
const CHANNEL = ['--channel <id>', '渠道 ID: wecom (企业微信)、dingtalk (钉钉)、feishu (飞书) 等'] as const;

/** `steward operators list|link|unlink`: who the bot recognises on which messenger. */
export function registerOperators(program: Command, source: CoreSource = processCore): void {
  const cmd = program.command('operators').description('操作员及其聊天账号: 列出、关联、解除关联 (operators and their chat accounts)');
  cmd.command('list').description('列出全部操作员和已关联的聊天账号')
    .option(...AS)
    .option('--json', '输出 JSON', false)
    .action((o: { as?: string; json: boolean }) => runAction(() => using(source, o.json, async (core) => {
      const rows = await listOperators(core, await cliActor(core, o.as));
      if (o.json) {
        process.stdout.write(`${JSON.stringify(rows.map(({ operator: op, identities }) => ({ id: op.id, displayName: op.displayName, email: op.email, roles: op.roleList(), active: op.active, identities })))}\n`);
        return;
      }
      const line = ({ operator: op, identities }: (typeof rows)[number]) => {
        const chat = identities.map((i) => `${channelLabel(i.channel)}(${i.channel}): ${i.externalId}`).join(', ') || '未关联聊天账号';
        return `#${op.id}\t${op.displayName}\t${op.email ?? '-'}\t${op.roleList().join(',')}${op.active ? '' : '\t已停用'}\t${chat}`;
      };
      process.stdout.write(rows.length ? `${rows.map(line).join('\n')}\n` : '还没有操作员。\n');
    })));
  cmd.command('link').description('把一个聊天账号关联到操作员 (同一渠道已有账号时替换)')
    .requiredOption(...OPERATOR)
    .requiredOption(...CHANNEL)
    .requiredOption('--external-id <id>', '该渠道里的用户 ID (企业微信 UserID、钉钉 userId、飞书 open_id…)')
    .option(...AS)
    .addHelpText('after', '\n例子 (example):\n  steward operators link --operator 张三 --channel wecom --external-id zhangsan')
    .action((o: { operator: string; channel: string; externalId: string; as?: string }) => runAction(() => using(source, false, async (core) => {
      const actor = await cliActor(core, o.as);
      const target = await findOperator(core, o.operator);
      const { operator, identity, replaced } = await linkIdentity(core, actor, target.id, o.channel, o.externalId);
      process.stdout.write(`已将${channelLabel(identity.channel)}账号 ${identity.externalId} 关联到操作员 ${operator.displayName} (#${operator.id})${replaced ? `, 替换了原账号 ${replaced}` : ''}。\n`);
    })));
  cmd.command('unlink').description('解除操作员在一个渠道上的聊天账号')
    .requiredOption(...OPERATOR)
    .requiredOption(...CHANNEL)
    .option(...AS)
    .action((o: { operator: string; channel: string; as?: string }) => runAction(() => using(source, false, async (core) => {
      const actor = await cliActor(core, o.as);
      const target = await findOperator(core, o.operator);
      const { operator, identity } = await unlinkIdentity(core, actor, target.id, o.channel);
      process.stdout.write(`已解除操作员 ${operator.displayName} (#${operator.id}) 的${channelLabel(identity.channel)}账号 ${identity.externalId}。\n`);
    })));
}

import { listNamesText } from './lists.js';
import type { CommandSpec, CommandRegistry } from './registry.js';

/** 帮助 / help, generated from the registry. */
export function helpCommand(registry: CommandRegistry): CommandSpec {
  return {
    id: 'help',
    name: '帮助',
    english: 'help',
    aliases: ['?', '菜单'],
    args: [{ name: 'command', label: '命令' }],
    permission: 'view',
    sideEffect: false,
    summary: '查看全部命令, 或某个命令的用法',
    example: '帮助 删除客户',
    async run(ctx) {
      const name = ctx.args.command;
      // The company's 客户分类 and 区域 change at run time, so help reads them as it answers.
      if (!name) return { text: `${registry.help(ctx.operator)}\n\n${await listNamesText(ctx.core)}` };
      const matched = registry.match(name);
      if (!matched) return { text: `没有「${name}」这个命令。\n\n${registry.help(ctx.operator)}` };
      const lists = ['customer.create', 'customer.edit', 'customer.show', 'lists.show'].includes(matched.spec.id)
        ? `\n${await listNamesText(ctx.core, { aliases: true })}`
        : '';
      return { text: `${registry.helpFor(matched.spec)}${lists}` };
    },
  };
}

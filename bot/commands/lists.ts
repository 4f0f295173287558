import type { Core } from '../../core/context.js';
import { searchCustomers } from '../../core/customers/search.js';
import { LIST_KEYS, LIST_LABELS, ListSnapshot } from '../../core/lists/lookup.js';
import { numbered } from '../format.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import type { CommandSpec } from './registry.js';

/** The current 客户分类 and 区域, one line each, aliases in brackets (for 帮助 and 分类列表). */
export async function listNamesText(core: Core, opts: { aliases?: boolean } = {}): Promise<string> {
  const lists = await ListSnapshot.load(core);
  return LIST_KEYS.map((key) => {
    const entries = lists
      .entries(key)
      .map((e) => (opts.aliases && e.aliases.length ? `${e.name} (${e.aliases.join('、')})` : e.name));
    return `${LIST_LABELS[key]}: ${entries.length ? entries.join('、') : '(还没有, 管理员可在后台添加)'}`;
  }).join('\n');
}

/** `客户 分类=零售 [区域=华东] [名称]`: customers by list value (names and aliases alike), up to 20. */
export async function listFilterReply(ctx: CommandContext): Promise<Reply> {
  const { category, region, query } = ctx.args;
  const page = await searchCustomers(ctx.core, ctx.actor, { q: query, category, region, pageSize: 20 });
  const lists = await ListSnapshot.load(ctx.core);
  const what = [
    category ? `客户分类「${lists.find('category', category)?.name ?? category}」` : '',
    region ? `区域「${lists.find('region', region)?.name ?? region}」` : '',
    query ? `「${query}」` : '',
  ]
    .filter(Boolean)
    .join('、');
  if (!page.total) return { text: `没有${what}的客户。` };
  const more =
    page.total > page.items.length
      ? `\n(共 ${page.total} 个, 只列出前 ${page.items.length} 个; 完整名单可在后台按${category ? '客户分类' : '区域'}筛选)`
      : '';
  return {
    text: `${what}的客户共 ${page.total} 个:\n${numbered(page.items.map((c) => ({ code: c.code, name: c.name })))}${more}`,
  };
}

/** 分类列表: the company's 客户分类 and 区域 with their aliases. */
export const listsCommand: CommandSpec = {
  id: 'lists.show',
  name: '分类列表',
  aliases: ['区域列表'],
  english: 'lists',
  args: [],
  permission: 'view',
  sideEffect: false,
  summary: '查看客户分类和区域的可选值 (括号里是也认的别名)',
  example: '分类列表',
  async run(ctx) {
    return {
      text: `${await listNamesText(ctx.core, { aliases: true })}\n新建或修改客户时写名称或别名都可以, 例如: 新建客户 上海某某商行 分类=批发 区域=华东。按分类查客户: 客户 分类=零售。`,
    };
  },
};

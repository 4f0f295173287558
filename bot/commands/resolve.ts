import { searchCustomers } from '../../core/customers/search.js';
import { normalizeCode } from '../../core/customers/codes.js';
import { refuseMerged } from '../../core/customers/merge/aliases.js';
import { DomainError } from '../../core/errors.js';
import { deletedError } from '../../core/customers/deleted.js';
import { numbered } from '../format.js';
import { buttonId } from '../buttons.js';
import type { Reply } from '../types.js';
import type { CommandContext } from './context.js';
import { isLive } from '../../core/customers/lifecycle.js';

export type Resolved = { code: string; reply?: undefined } | { code?: undefined; reply: Reply };

/**
 * Turns what the user typed (a code, part of a name, a phone) into one customer code.
 * Several matches become a numbered list; the user's next message `2` re-runs `command` with that code.
 */
export async function resolveCustomer(
  ctx: CommandContext,
  query: string,
  command: string,
  rest = '',
  opts: { includeDeleted?: boolean } = {},
): Promise<Resolved> {
  const exact = await ctx.core.models.Customer.findOne({
    where: { code: normalizeCode(query) },
    attributes: ['code', 'status', 'mergedInto'],
  });
  // A merged customer's code: changes go to the survivor, named in the refusal (lookups follow it in 客户).
  if (exact) await refuseMerged(ctx.core, exact);
  if (exact && (opts.includeDeleted || isLive(exact.status))) return { code: exact.code };
  // A deleted code is not "not found": say so, and how to restore it to whoever may.
  if (exact) throw deletedError(ctx.actor, exact.code);
  const page = await searchCustomers(ctx.core, ctx.actor, {
    q: query,
    pageSize: 9,
    includeDeleted: opts.includeDeleted,
  });
  if (page.total === 0) {
    throw new DomainError(
      'CUSTOMER_NOT_FOUND',
      `没有找到「${query}」对应的客户。请核对编码, 或用名称的一部分、手机号再试。`,
      { query },
    );
  }
  if (page.total === 1) return { code: page.items[0]!.code };
  const items = page.items.map((c) => ({ code: c.code, name: c.name }));
  await ctx.deps.conversations.set(
    ctx.msg.channel,
    ctx.msg.userId,
    'choose',
    { command, rest, codes: items.map((i) => i.code) },
    ctx.core.config.CONFIRM_TTL_SECONDS,
  );
  const more =
    page.total > items.length ? `\n(共 ${page.total} 个, 只列出前 ${items.length} 个, 可输入更完整的名称)` : '';
  return {
    reply: {
      text: `「${query}」匹配到多个客户, 请回复序号选择:\n${numbered(items)}${more}`,
      buttons: items.slice(0, 6).map((i, n) => ({ id: buttonId('pick', String(n + 1)), text: `${n + 1}. ${i.code}` })),
    },
  };
}

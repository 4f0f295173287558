import { codeRead, lookupByCode } from '../../core/customers/lookup.js';
import { getCustomer } from '../../core/customers/search.js';
import { revealCustomer } from '../../core/customers/reveal.js';
import { aliasNote } from '../../core/customers/recode/act.js';
import { can } from '../../core/permissions.js';
import { customerText } from '../format.js';
import type { CommandSpec } from './registry.js';
import { listFilterReply } from './lists.js';
import { resolveCustomer } from './resolve.js';

/** 客户 <编码/名称/手机>: show one customer; personal data in full only in a 1:1 chat, audited. */
export const customerQuery: CommandSpec = {
  id: 'customer.show',
  name: '客户',
  aliases: ['查客户'],
  english: 'customer',
  args: [
    { name: 'query', label: '编码', required: true, rest: true, requiredUnless: ['category', 'region'] },
    { name: 'category', label: '分类' },
    { name: 'region', label: '区域' },
  ],
  permission: 'view',
  sideEffect: false,
  summary: '查看客户 (编码、名称的一部分或手机号)',
  example: '客户 C20260012',
  preread: (core, args) => (args.query && !args.category && !args.region ? codeRead(core, args.query) : null),
  async run(ctx) {
    if (ctx.args.category || ctx.args.region) return listFilterReply(ctx);
    // Most lookups name an exact code: one query for the customer (an old code of a merged
    // customer leads to the survivor, and the answer says so) and its owner's name; on the
    // read-only path it came with the speaker check (preread).
    const exact = await lookupByCode(ctx.core, ctx.actor, ctx.args.query!, ctx.preread);
    const via = exact?.mergedFrom ? `${await aliasNote(ctx.core, exact.mergedFrom, exact.code)}。\n` : '';
    let view = exact?.view;
    let ownerName = exact?.ownerName;
    if (!view) {
      const found = await resolveCustomer(ctx, ctx.args.query!, '客户');
      if (found.reply) return found.reply;
      view = (await getCustomer(ctx.core, ctx.actor, found.code))!;
      ownerName = view.ownerId ? (await ctx.core.models.Operator.findByPk(view.ownerId))?.displayName : null;
    }
    const full = ctx.msg.chatType === 'direct' && can(ctx.operator, 'revealPersonal');
    if (full) {
      const revealed = await revealCustomer(ctx.core, ctx.actor, view.code, `chat ${ctx.msg.via}`);
      Object.assign(view, { phone: revealed.phone, address: revealed.address });
    }
    return { text: `${via}${customerText(ctx.core, view, { full, ownerName })}` };
  },
};

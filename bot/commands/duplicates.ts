import { customerDuplicatesText, scanText } from '../../core/customers/duplicates/format.js';
import { findDuplicatePairs } from '../../core/customers/duplicates/scan.js';
import { followCode, mergedNote } from '../../core/customers/merge/aliases.js';
import { ownScope } from '../../core/customers/duplicates/by-owner.js';
import type { CommandSpec } from './registry.js';
import { resolveCustomer } from './resolve.js';
import { isDeleted } from '../../core/customers/lifecycle.js';

/** Pairs listed in one chat reply; the back office lists them all. */
const CHAT_LIMIT = 15;

/** 疑似重复 [编码]: read-only; merging and dismissing happen through 合并客户 and the back office. */
export const duplicatesCommand: CommandSpec = {
  id: 'customer.duplicates',
  name: '疑似重复',
  english: 'duplicates',
  args: [{ name: 'query', label: '编码', rest: true }],
  permission: 'view',
  sideEffect: false,
  summary: '疑似重复客户 (同手机、同名称、与已并入的客户相同); 写编码只看这个客户的',
  example: '疑似重复 C20260009',
  async run(ctx) {
    const query = ctx.args.query?.trim();
    if (!query) {
      const ownerId = ownScope(ctx.core, ctx.actor);
      const scan = await findDuplicatePairs(ctx.core, { ownerId });
      return {
        title: '疑似重复客户',
        text: `${ownerId !== undefined ? '(只列出与你负责的客户有关的)\n' : ''}${scanText(scan, CHAT_LIMIT)}`,
      };
    }
    // An old code of a merged customer stands for its survivor, and the answer says so.
    const followed = await followCode(ctx.core, query);
    let customer = followed?.customer;
    const via = followed?.mergedFrom ? `${mergedNote(followed.mergedFrom, followed.customer.code)}。\n` : '';
    if (!customer) {
      const found = await resolveCustomer(ctx, query, '疑似重复');
      if (found.reply) return found.reply;
      customer = (await ctx.core.models.Customer.findOne({ where: { code: found.code } }))!;
    }
    if (isDeleted(customer.status))
      return { text: `${via}客户 ${customer.code} 已删除 (在回收站), 不参与疑似重复检查。` };
    const scan = await findDuplicatePairs(ctx.core, { customerId: customer.id });
    return {
      title: '疑似重复客户',
      text: `${via}${customerDuplicatesText(customer.code, customer.name, scan, CHAT_LIMIT)}`,
    };
  },
};

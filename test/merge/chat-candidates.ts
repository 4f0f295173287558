import { beforeAll } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { createOrder, createReceivable, moveOrder, reserveStock } from '../../core/orders.js';
import { keepCustomer } from '../../core/review/keep.js';
import { encrypt } from '../../core/privacy.js';
import { forgetSubscriptions } from '../../core/webhooks/enqueue.js';
import type { Harness } from '../helpers/db.js';
import { newCustomer, product, uniqueName } from '../core/fixtures.js';

/** What the merge chat tests share: the bot, the admin, 张三's and 李四's ids, the product. */
export const m = { bot: undefined as unknown as BotRuntime, admin: undefined as unknown as Actor, zhangId: 0, liId: 0 };
let sku = '';

export const say = async (who: string, text: string) =>
  (await consoleSay(m.bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');
export const inbox = async (who: string) =>
  (await consoleInbox(m.bot.deps, { as: who, door: 'wecom', group: false })).map((r) => r.text).join('\n');

/** The bot, 张三 and 李四 (sales), 周审批 (approver), 钱管理 (admin), a product and a customer.merged webhook. */
export function setupMergeChat(h: Harness): void {
  beforeAll(async () => {
    m.bot = createBot(h.core, { dispatch: false });
    m.admin = await h.actor('管理员', ['admin']);
    m.zhangId = (await h.operator('张三', ['sales'], { wecom: 'zhangsan' })).id;
    m.liId = (await h.operator('李四', ['sales'], { wecom: 'lisi' })).id;
    await h.operator('周审批', ['approver'], { wecom: 'zhou' });
    await h.operator('钱管理', ['admin'], { wecom: 'qian' });
    sku = await product(h.core, 'P-MERGE');
    await h.core.models.WebhookSubscription.create({
      url: 'https://hooks.example.com/steward',
      events: 'customer.merged',
      secretEnc: encrypt(h.core.keys, 'a-secret-of-enough-length')!,
      active: true,
      createdBy: 'test',
    });
    forgetSubscriptions(h.core);
  });
}

export interface Candidates {
  keep: string;
  dup: string;
  other: string;
  /** dup's confirmed order. */
  order: string;
}

/**
 * A test's own customers: 张三 owns keep and dup (dup has orders, a receivable, a reservation, a
 * 保留 record; keep one order); 李四 owns other. The names are the same in every test (duplicates allowed).
 */
export async function mergeCandidates(h: Harness): Promise<Candidates> {
  const { admin, zhangId } = m;
  const allow = { allowDuplicates: true };
  const keep = (
    await createCustomer(h.core, admin, { name: '杭州瑞丰五金有限公司', ownerId: zhangId, contact: '王伟' }, allow)
  ).customer.code;
  const dup = (
    await createCustomer(
      h.core,
      admin,
      { name: '杭州瑞丰五金', ownerId: zhangId, contact: '王小伟', phone: '13812345678' },
      allow,
    )
  ).customer.code;
  const other = (await newCustomer(h, admin, { name: uniqueName('李四的'), ownerId: m.liId })).code;
  const o1 = await createOrder(h.core, admin, { customerCode: dup, total: '800.00' });
  await moveOrder(h.core, admin, o1.number, 'confirm');
  const o2 = await createOrder(h.core, admin, { customerCode: dup, total: '300.00' });
  await moveOrder(h.core, admin, o2.number, 'confirm');
  await moveOrder(h.core, admin, o2.number, 'complete');
  await createReceivable(h.core, admin, { orderNumber: o2.number, amount: '300.00', dueDate: '2026-12-31' });
  await reserveStock(h.core, admin, { customerCode: dup, sku, quantity: 5 });
  await createOrder(h.core, admin, { customerCode: keep, total: '100.00' });
  await keepCustomer(h.core, admin, dup, '还在合作');
  return { keep, dup, other, order: o1.number };
}

/** 张三 proposes (联系人=王伟伟) and confirms merging dup into keep: the pending request's id. */
export async function fileMerge(c: Candidates): Promise<string> {
  await say('zhangsan', `合并客户 ${c.keep} ${c.dup} 联系人=王伟伟`);
  const filed = await say('zhangsan', `确认 ${c.keep}`);
  const id = /已提交合并申请 #(\d+)/.exec(filed)?.[1];
  if (!id) throw new Error(`the merge was not filed: ${filed}`);
  return id;
}

/** Fresh candidates with their merge filed by 张三 and approved by 周审批. */
export async function approvedMerge(h: Harness): Promise<Candidates & { id: string }> {
  const c = await mergeCandidates(h);
  const id = await fileMerge(c);
  const done = await say('zhou', `批准合并 ${id}`);
  if (!done.includes(`合并单 #${id} 已执行`)) throw new Error(`the merge was not approved: ${done}`);
  return { ...c, id };
}

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { consoleInbox } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { requestMerge } from '../../core/customers/merge/request.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { newCustomer } from '../core/fixtures.js';

type Rec = { id: string; params: Record<string, unknown>; recordActions?: Array<{ name: string }> };
type ActionAnswer = { notice?: { message: string; type: string }; record?: Rec };
type ListAnswer = { meta: { total: number }; records: Rec[] };

let server: Awaited<ReturnType<typeof startAdmin>>;
let bot: BotRuntime;
let admin: Actor;
let requester: Actor;
const as: Record<string, AdminClient> = {};

/** A pending merge of two fresh customers, filed by the 申请人 (a chat user, so receipts can be read). */
const merges = (h: Harness) =>
  async function pendingMerge(reason: string) {
    const keep = await newCustomer(h, admin);
    const dup = await newCustomer(h, admin);
    await createOrder(h.core, admin, { customerCode: dup.code, total: '66.00' });
    const { merge } = await requestMerge(h.core, requester, { keep: keep.code, absorb: [dup.code], reason });
    return { keep, dup, merge };
  };

/** merge-li (approver), merge-wang (sales) and the requester merge-asker (admin, also on WeCom) signed in. */
function setupMergeApprovals(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    server = await startAdmin(h.core, { notifier: bot.deps.notifier });
    admin = await h.actor('合并后台管理员', ['admin']);
    for (const [login, roles] of [
      ['merge-li', ['approver']],
      ['merge-wang', ['sales']],
    ] as const)
      as[login] = (await clientAs(h.core, server.url, login, [...roles])).client;
    // The requester uses the back office and chat (receipts are read from its console inbox).
    const asker = await clientAs(h.core, server.url, 'merge-asker', ['admin']);
    as.asker = asker.client;
    await h.core.models.OperatorIdentity.create({
      operatorId: asker.operator.id,
      channel: 'wecom',
      externalId: 'merge-asker',
    });
    requester = { operator: asker.operator, door: 'cli' };
  });
  afterAll(async () => server?.close());
}

eachDialect('back office 合并申请: merges awaiting approval, 批准合并 for an approver', (h) => {
  setupMergeApprovals(h);
  const pendingMerge = merges(h);

  it('lists 待审批 merges with the codes and reason; an approver sees 批准合并 / 驳回, the requester and sales do not', async () => {
    const { keep, dup, merge } = await pendingMerge('重复录入 (后台列表)');
    const list = (
      await as['merge-li']!.list('customer_merges', 'filters.status=pending&perPage=100')
    ).json<ListAnswer>();
    const row = list.records.find((r) => Number(r.id) === merge.id)!;
    expect(row.params).toMatchObject({
      keepCode: keep.code,
      absorbedCodes: dup.code,
      reason: '重复录入 (后台列表)',
      requesterName: 'merge-asker',
      status: 'pending',
    });
    expect(row.params.survivorBefore).toBeUndefined();
    expect(row.recordActions!.map((a) => a.name)).toEqual(expect.arrayContaining(['approve', 'reject']));
    const own = (await as.asker!.action('customer_merges', merge.id, 'show')).json<{ record: Rec }>();
    expect(own.record.recordActions!.map((a) => a.name)).not.toContain('approve');
    expect((await as['merge-wang']!.action('customer_merges', merge.id, 'approve', {})).status).toBe(403);
    const page = await as['merge-li']!.pageState();
    expect(page.resources.find((r) => r.id === 'customer_merges')).toBeDefined();
  });

  it('批准合并 runs the merge through core: the order moves, the old code becomes an alias, the requester is told', async () => {
    const { keep, dup, merge } = await pendingMerge('重复录入 (后台批准)');
    const res = (await as['merge-li']!.action('customer_merges', merge.id, 'approve', {})).json<ActionAnswer>();
    expect(res.notice).toMatchObject({
      type: 'success',
      message: expect.stringContaining(
        `合并单 #${merge.id} 已执行: ${dup.code} 已并入 ${keep.code} ${keep.name}; 转移了 订单 1`,
      ),
    });
    expect(res.record!.params.status).toBe('done');
    expect(await h.core.models.SalesOrder.count({ where: { customerId: keep.id } })).toBe(1);
    expect((await h.core.models.Customer.findByPk(dup.id))!.mergedInto).toBe(keep.id);
    expect(await h.core.models.CustomerAlias.findOne({ where: { code: dup.code, mergeId: merge.id } })).not.toBeNull();
    const inbox = (await consoleInbox(bot.deps, { as: 'merge-asker', door: 'wecom', group: false }))
      .map((r) => r.text)
      .join('\n');
    expect(inbox).toContain(`你申请的合并单 #${merge.id} 已执行`);
    expect(inbox).toContain('(批准人: merge-li)');
    // Decided: a second 批准 is refused in Chinese, and the buttons are gone.
    const again = (await as['merge-li']!.action('customer_merges', merge.id, 'approve', {})).json<ActionAnswer>();
    expect(again.notice).toMatchObject({
      type: 'error',
      message: expect.stringContaining(`合并单 #${merge.id} 已合并`),
    });
  });
});

eachDialect('back office 合并申请: 驳回 for an approver (never the requester)', (h) => {
  setupMergeApprovals(h);
  const pendingMerge = merges(h);

  it("驳回 with a reason leaves the customers as they were; the requester's own 批准 is refused (four eyes)", async () => {
    const { dup, merge } = await pendingMerge('重复录入 (后台驳回)');
    const self = (await as.asker!.action('customer_merges', merge.id, 'approve', {})).json<ActionAnswer>();
    expect(self.notice).toMatchObject({
      type: 'error',
      message: expect.stringContaining('是你自己提交的, 不能自己审批'),
    });
    const res = (
      await as['merge-li']!.action('customer_merges', merge.id, 'reject', { note: '不是同一家公司' })
    ).json<ActionAnswer>();
    expect(res.notice).toEqual({ type: 'success', message: `已驳回合并单 #${merge.id}, 客户保持原状。` });
    expect(res.record!.params).toMatchObject({
      status: 'rejected',
      decisionNote: '不是同一家公司',
      decidedByName: 'merge-li',
    });
    expect((await h.core.models.Customer.findByPk(dup.id))!.mergedInto).toBeNull();
    const inbox = (await consoleInbox(bot.deps, { as: 'merge-asker', door: 'wecom', group: false }))
      .map((r) => r.text)
      .join('\n');
    expect(inbox).toContain(`你申请的合并单 #${merge.id} 被 merge-li 驳回, 理由: 不是同一家公司。客户保持原状。`);
  });
});

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { consoleInbox } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';

type Rec = { id: string; title: string; params: Record<string, string>; recordActions: { name: string }[] };
type ListAnswer = { meta: { total: number }; records: Rec[] };
type ActionAnswer = { notice?: { message: string; type: string }; record: Rec };

let server: Awaited<ReturnType<typeof startAdmin>>;
let admin: Actor;
let bot: BotRuntime;
const as: Record<string, AdminClient> = {};
const c: Record<string, string> = {};
const id: Record<string, number> = {};
const key = (x: string, y: string) => `${id[x]}-${id[y]}`;

/** boss (admin), wang (sales) and kan (viewer) signed in; two likely-duplicate pairs, a–b (a is wang's) and x–y. */
function setupPairs(h: Harness): void {
  const add = async (key: string, input: CustomerInput) => {
    const { customer } = await createCustomer(h.core, admin, input, { allowDuplicates: true });
    c[key] = customer.code;
    id[key] = customer.id;
  };

  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    server = await startAdmin(h.core, { notifier: bot.deps.notifier });
    admin = await h.actor('管理员', ['admin']);
    await h.operator('沈审批', ['approver'], { wecom: 'shen' });
    let wangId = 0;
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      as[login] = client;
      if (login === 'wang') wangId = operator.id;
    }
    await add('a', { name: '嘉兴丰收农资有限公司', phone: '13500000001', ownerId: wangId });
    await add('b', { name: '嘉兴丰收农资', phone: '135 0000 0001' });
    await add('x', { name: '湖州青山纸业', phone: '13500000002' });
    await add('y', { name: '湖州青山纸业（有限公司）' });
  });
  afterAll(async () => server?.close());
}

eachDialect('back office: 疑似重复 list with 忽略', (h) => {
  setupPairs(h);

  it('lists the pairs, strongest first, with owners by name and the chat merge command; no phone numbers', async () => {
    const res = await as.kan!.list('duplicates');
    expect(res.status).toBe(200);
    const body = res.json<ListAnswer>();
    expect(body.meta.total).toBe(2);
    expect(body.records.map((r) => r.id)).toEqual([key('a', 'b'), key('x', 'y')]);
    expect(body.records[0]!.params).toMatchObject({
      left: `${c.a} 嘉兴丰收农资有限公司 (wang)`,
      right: `${c.b} 嘉兴丰收农资 (未分配)`,
      signals: '同手机、同名称',
      mergeCommand: `合并客户 ${c.a} ${c.b}`,
      state: '待处理',
    });
    expect(res.text).not.toMatch(/13500000001|phone_hash|phoneHash/);
    // A viewer sees the list but not the actions.
    expect(body.records[0]!.recordActions.map((a) => a.name)).not.toContain('dismiss');
    // Sales see the pairs of their own customers.
    expect((await as.wang!.list('duplicates')).json<ListAnswer>().records.map((r) => r.id)).toEqual([key('a', 'b')]);
    const page = await as.boss!.pageState();
    expect(page.resources.some((r) => r.id === 'duplicates')).toBe(true);
  });
});

// Its own database: dismissing x–y changes the list the test above reads.
eachDialect('back office: 疑似重复, 忽略', (h) => {
  setupPairs(h);

  it('忽略 goes through core (audited), and the pair leaves the list for good', async () => {
    expect((await as.kan!.action('duplicates', key('x', 'y'), 'dismiss', { reason: 'x' })).status).toBe(403);
    const form = (await as.boss!.action('duplicates', key('x', 'y'), 'dismiss')).json<ActionAnswer>();
    expect(form.record.recordActions.map((a) => a.name)).toEqual(expect.arrayContaining(['dismiss', 'proposeMerge']));
    const res = (
      await as.boss!.action('duplicates', key('x', 'y'), 'dismiss', { reason: '一家是分厂' })
    ).json<ActionAnswer>();
    expect(res.notice).toEqual({
      type: 'success',
      message: `已忽略: ${c.x} 与 ${c.y} 不是同一客户 (原因: 一家是分厂), 不再提示。`,
    });
    expect(res.record.params).toMatchObject({
      state: '已忽略',
      dismissal: expect.stringMatching(/^boss 于 \d{4}-\d\d-\d\d \d\d:\d\d 忽略, 原因: 一家是分厂$/),
    });
    expect(await h.core.models.AuditEvent.count({ where: { action: 'duplicate.dismiss', customerCode: c.x } })).toBe(1);
    expect((await as.boss!.list('duplicates')).json<ListAnswer>().records.map((r) => r.id)).toEqual([key('a', 'b')]);
    // Twice: core's own refusal, as a notice.
    const again = (
      await as.boss!.action('duplicates', key('x', 'y'), 'dismiss', { reason: '再来' })
    ).json<ActionAnswer>();
    expect(again.notice).toMatchObject({ type: 'error', message: expect.stringContaining('已于') });
  });
});

eachDialect('back office: 疑似重复 with 合并', (h) => {
  setupPairs(h);

  it("合并 files a merge request (keeping the older customer) for another approver; a reason is required, ownership is core's", async () => {
    const empty = (
      await as.wang!.action('duplicates', key('a', 'b'), 'proposeMerge', { reason: '' })
    ).json<ActionAnswer>();
    expect(empty.notice).toMatchObject({ type: 'error', message: '请写明合并原因, 例如「重复录入」。' });
    // Core's ownership rule: sales merge only their own customers (b has no owner).
    const notMine = (
      await as.wang!.action('duplicates', key('a', 'b'), 'proposeMerge', { reason: '重复' })
    ).json<ActionAnswer>();
    expect(notMine.notice).toMatchObject({
      type: 'error',
      message: `客户 ${c.b} 不归 wang 负责; 销售只能合并自己负责的客户。请联系负责人或管理员。`,
    });
    const res = (
      await as.boss!.action('duplicates', key('a', 'b'), 'proposeMerge', { reason: '同一家, 重复录入' })
    ).json<ActionAnswer>();
    expect(res.notice).toMatchObject({
      type: 'success',
      message: expect.stringMatching(
        new RegExp(`^已提交合并申请 #\\d+ \\(${c.b} 并入 ${c.a}\\), 等待另一位审批人批准`),
      ),
    });
    const merge = await h.core.models.CustomerMerge.findOne({ where: { keepCode: c.a } });
    expect(merge).toMatchObject({ status: 'pending', requesterName: 'boss', reason: '同一家, 重复录入' });
    expect(JSON.parse(merge!.absorbed)).toEqual([{ id: id.b, code: c.b }]);
    // The approvers are told, as from chat.
    const told = (await consoleInbox(bot.deps, { as: 'shen', door: 'wecom', group: false }))
      .map((r) => `${r.title}\n${r.text}`)
      .join('\n');
    expect(told).toContain(
      `合并客户审批 #${merge!.id}\n合并客户: 保留 ${c.a} 嘉兴丰收农资有限公司 (启用), 并入 ${c.b} 嘉兴丰收农资 (启用)。`,
    );
    expect(told).toContain(`可回复「批准合并 ${merge!.id}」`);
  });

  it('an unknown pair is a 404-like notice, not a 500', async () => {
    const res = await as.boss!.action('duplicates', '999998-999999', 'show');
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain('Internal');
  });
});

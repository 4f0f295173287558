import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { consoleInbox } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import type { Operator } from '../../models/index.js';
import { approveRecode } from '../../core/customers/recode/act.js';
import { requestRecode } from '../../core/customers/recode/request.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { newCustomer, uniqueName } from '../core/fixtures.js';

type ListAnswer = { meta: { total: number }; records: Array<{ id: string; params: Record<string, string> }> };
type RecodeAnswer = {
  notice?: { message: string; type: string };
  plan?: { rows: number; problems: number; text: string };
};

let server: Awaited<ReturnType<typeof startAdmin>>;
let bot: BotRuntime;
let admin: Actor;
const as: Record<string, AdminClient> = {};
const c: Record<string, string> = {};
const ops: Record<string, Operator> = {};

/**
 * The back office with boss, wang (sales) and kan (viewer) signed in, one auto code and a
 * near-duplicate pair OLD-7/OLD7; each block below gets its own database with these.
 */
function setupCodeReport(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    server = await startAdmin(h.core, { notifier: bot.deps.notifier });
    h.setNow(new Date('2026-03-15T04:00:00Z'));
    admin = await h.actor('管理员', ['admin']);
    await h.operator('沈审批', ['approver'], { wecom: 'shen' });
    const ids: Record<string, number> = {};
    for (const [login, roles] of [
      ['boss', ['admin']],
      ['wang', ['sales']],
      ['kan', ['viewer']],
    ] as const) {
      const { client, operator } = await clientAs(h.core, server.url, login, [...roles]);
      as[login] = client;
      ops[login] = operator;
      ids[login] = operator.id;
    }
    c.a = (await newCustomer(h, admin)).code;
    // wang (sales) recodes OLD-7 and OLD7 below: they are his, as the ownership rule asks.
    c.old = (await newCustomer(h, admin, { code: 'OLD-7', ownerId: ids.wang! })).code;
    // A near-duplicate pair as a legacy import leaves it (core would refuse the second).
    await h.core.models.Customer.create({
      code: 'OLD7',
      name: uniqueName(),
      nameNorm: uniqueName(),
      ownerId: ids.wang!,
    } as never);
  });
  afterAll(async () => server?.close());
}

eachDialect('back office: 编码检查 page', (h) => {
  setupCodeReport(h);

  it('lists off-rule codes and near-duplicates with what to do', async () => {
    const body = (await as.kan!.list('code_report')).json<ListAnswer>();
    expect(body.meta.total).toBe(3);
    expect(body.records.map((r) => [r.params.kind, r.params.codes])).toEqual([
      ['近似编码', 'OLD-7 ≈ OLD7'],
      ['不合规则', 'OLD-7'],
      ['不合规则', 'OLD7'],
    ]);
    expect(body.records[1]!.params.hint).toContain('不符合当前编码规则 C{YYYY}{SEQ:4}');
    const page = await as.boss!.pageState();
    expect(page.resources.find((r) => r.id === 'code_report')?.resourceActions.map((a) => a.name)).toContain(
      'bulkRecode',
    );
  });
});

eachDialect('back office: 批量改编码 on the 编码检查 page', (h) => {
  setupCodeReport(h);

  it('批量改编码: a dry run writes nothing and names clashing rows; submit files a request the approver is told about', async () => {
    const path = '/admin/api/resources/code_report/actions/bulkRecode';
    expect((await as.kan!.post(path, { rows: 'OLD-7\tC20269001', reason: 'x' })).status).toBe(403);
    const clash = (
      await as.wang!.post(path, { rows: `旧编码\t新编码\nOLD-7\tC20269001\nOLD7\tc20269001`, reason: '统一编码' })
    ).json<RecodeAnswer>();
    expect(clash.plan).toMatchObject({ rows: 1, problems: 1 });
    expect(clash.plan!.text).toContain('✗ 第 3 行: 新编码 C20269001 与第 2 行的新编码重复');
    const dry = (
      await as.wang!.post(path, { rows: 'OLD-7\tC20269001\nOLD7\tC20269002', reason: '统一编码' })
    ).json<RecodeAnswer>();
    expect(dry.plan).toMatchObject({ rows: 2, problems: 0 });
    expect(await h.core.models.CustomerRecode.count()).toBe(0);
    const filed = (
      await as.wang!.post(path, { rows: 'OLD-7\tC20269001\nOLD7\tC20269002', reason: '统一编码', submit: 'true' })
    ).json<RecodeAnswer>();
    expect(filed.notice?.message).toMatch(/^已提交改编码申请 #\d+ \(2 个客户\), 等待另一位审批人批准/);
    const inbox = (await consoleInbox(bot.deps, { as: 'shen', door: 'wecom', group: false }))
      .map((r) => r.text)
      .join('\n');
    expect(inbox).toContain('• OLD-7 ');
    const recode = (await h.core.models.CustomerRecode.findOne())!;
    await approveRecode(h.core, await h.actor('沈审批', ['approver']), recode.id);
    expect((await as.kan!.list('code_report')).json<ListAnswer>().meta.total).toBe(0);
  });
});

eachDialect('back office: the dashboard card after a recode', (h) => {
  setupCodeReport(h);

  it('the dashboard card shows the code counts', async () => {
    // Its own recode of the pair, through core: wang asks, 沈审批 approves.
    const pairs = [
      { from: 'OLD-7', to: 'C20269001' },
      { from: 'OLD7', to: 'C20269002' },
    ];
    const { recode } = await requestRecode(h.core, { operator: ops.wang!, door: 'admin' }, pairs, '统一编码');
    await approveRecode(h.core, await h.actor('沈审批', ['approver']), recode.id);
    const d = (await as.kan!.get('/admin/api/dashboard')).json<{ codes: Record<string, unknown> }>();
    expect(d.codes).toMatchObject({
      rule: 'C{YYYY}{SEQ:4}',
      total: 3,
      auto: 1,
      recode: 2,
      offRule: 0,
      next: 'C20260002',
      href: '/admin/resources/code_report',
    });
  });
});

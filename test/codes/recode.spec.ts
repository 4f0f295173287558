import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from '@jest/globals';
import { registerCodes } from '../../cli/commands/codes.js';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { getCustomerForApi } from '../../core/api/customers.js';
import { checkTransactable } from '../../core/api/transactable.js';
import { createOrder } from '../../core/orders.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, newCustomer } from '../core/fixtures.js';
import { approveRecode } from '../../core/customers/recode/act.js';
import { requestRecode } from '../../core/customers/recode/request.js';
import { runSteward } from '../helpers/steward-cli.js';

let bot: BotRuntime;
let admin: Actor;
let approver: Actor;
const c: Record<string, string> = {};
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');
const inbox = async (who: string) =>
  (await consoleInbox(bot.deps, { as: who, door: 'wecom', group: false })).map((r) => r.text).join('\n');

/** 张三 (sales) owns five customers (a, b, x, y, z); a has an order. 周审批 approves. */
function setupRecode(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    h.setNow(new Date('2026-03-15T04:00:00Z'));
    admin = await h.actor('编码管理员', ['admin']);
    const zhangsan = await h.operator('张三', ['sales'], { wecom: 'zhangsan' });
    await h.operator('周审批', ['approver'], { wecom: 'zhou' });
    approver = await h.actor('周审批', ['approver']);
    // 张三 (sales) recodes below: the customers are his, as the ownership rule asks.
    for (const k of ['a', 'b', 'x', 'y', 'z']) c[k] = (await newCustomer(h, admin, { ownerId: zhangsan.id })).code;
    await createOrder(h.core, admin, { customerCode: c.a!, total: '120.00' });
  });
}

/** The CLI runs as 张三 (by his chat id): sales recode their own customers. */
const AS_ZHANGSAN = { STEWARD_OPERATOR: 'zhangsan' };

/** The steward CLI on this block's database. */
function stewardOn(h: Harness) {
  return (...argv: string[]) => runSteward(registerCodes, h.core, argv);
}

/** Recodes through core as 张三, approved by 周审批 (what the chat and the CLI tests do by their doors). */
async function recodeApproved(h: Harness, pairs: Array<{ from: string; to: string }>): Promise<void> {
  const zhangsan = await h.actor('张三', ['sales'], 'wecom');
  const { recode } = await requestRecode(h.core, zhangsan, pairs, '统一编码规则');
  await approveRecode(h.core, approver, recode.id);
}

// Each block gets its own database with 张三's five customers, so each test counts from C20260001.
eachDialect('改编码 in chat: propose → 确认 → another approver', AS_ZHANGSAN, (h) => {
  setupRecode(h);
  recodeThroughChat(h);
});

eachDialect('改编码: clashes refused', AS_ZHANGSAN, (h) => {
  setupRecode(h);
  refusals(h);
});

eachDialect('改编码: CLI sheet with dry run', AS_ZHANGSAN, (h) => {
  setupRecode(h);
  sheet(h);
});

eachDialect('改编码: 编码统计 and 编码检查 after recodes', AS_ZHANGSAN, (h) => {
  setupRecode(h);
  stats(h);
});

/** Customer a becomes KH-0001 through chat; its old code stays an alias. */
function recodeThroughChat(h: Harness): void {
  it('chat: dry run, 确认, the approver is told; the requester cannot approve; 批准改编码 moves the code, orders follow', async () => {
    const dry = await say('zhangsan', `改编码 ${c.a} KH-0001 统一编码规则`);
    expect(dry).toContain(`• ${c.a} `);
    expect(dry).toContain('→ KH-0001 (1 张订单跟随客户, 无需改动)');
    expect(dry).toContain(`请在 5 分钟内回复「确认 ${c.a}」继续`);
    expect(await h.core.models.CustomerRecode.count()).toBe(0);
    const filed = await say('zhangsan', `确认 ${c.a}`);
    expect(filed).toMatch(/^已提交改编码申请 #(\d+) \(C20260001 → KH-0001\), 已通知审批人: .*周审批/);
    const id = Number(/#(\d+)/.exec(filed)![1]);
    expect(await inbox('zhou')).toContain(`可回复「批准改编码 ${id}」或「驳回改编码 ${id} 理由」。`);
    const self = await h.core.models.Operator.findOne({ where: { displayName: '张三' } });
    await expectRefused(
      approveRecode(
        h.core,
        {
          operator: {
            ...self!.get(),
            roleList: () => ['approver'],
            active: true,
            displayName: '张三',
            id: self!.id,
          } as never,
          door: 'wecom',
        },
        id,
      ),
      'SELF_APPROVAL',
      '不能自己审批',
    );
    const ok = await say('zhou', `批准改编码 ${id}`);
    expect(ok).toContain(`改编码申请 #${id} 已执行: ${c.a} 已改为 KH-0001。`);
    expect(await inbox('zhangsan')).toContain(`你申请的改编码 #${id} 已由 周审批 批准并执行: ${c.a} 已改为 KH-0001。`);
    const row = (await h.core.models.Customer.findOne({ where: { code: 'KH-0001' } }))!;
    expect(await h.core.models.SalesOrder.count({ where: { customerId: row.id } })).toBe(1);
    expect(row.codeOrigin).toBe('recode');
    expect(await h.core.models.CustomerAlias.findOne({ where: { code: c.a! }, raw: true })).toMatchObject({
      customerId: row.id,
      mergeId: null,
    });
    const audit = (await h.core.models.AuditEvent.findOne({ where: { action: 'customer.recoded' }, raw: true }))!;
    expect(audit).toMatchObject({ customerId: row.id, customerCode: 'KH-0001' });
    // The old code still finds the customer, in chat and through the API.
    expect(await say('zhangsan', `客户 ${c.a}`)).toContain(`${c.a} 已改为 KH-0001。`);
    expect((await getCustomerForApi(h.core, admin, c.a!)).code).toBe('KH-0001');
    // The ERP keeps sending the old code: the order check and a new order find the customer.
    expect(await checkTransactable(h.core, c.a!)).toEqual({ ok: true });
    const order = await createOrder(h.core, admin, { customerCode: c.a!, total: '30.00' });
    expect((await h.core.models.SalesOrder.findOne({ where: { number: order.number } }))!.customerId).toBe(row.id);
  });
}

/** Clashes are refused: with a code taken, an alias, an off-rule code, a code being recoded itself. */
function refusals(h: Harness): void {
  it('refuse clashes naming both rows, off-rule codes, and the old code (now an alias) as a new code', async () => {
    await recodeApproved(h, [{ from: c.a!, to: 'KH-0001' }]);
    expect(await say('zhangsan', `改编码 ${c.b} KH-0001`)).toContain(`✗ 新编码 KH-0001 已是客户 KH-0001 (`);
    expect(await say('zhangsan', `改编码 ${c.b} ${c.a}`)).toContain(`✗ 新编码 ${c.a} 是客户 KH-0001 的旧编码 (别名)`);
    expect(await say('zhangsan', `改编码 ${c.b} 客户一号`)).toContain(
      '既不符合编码规则 C{YYYY}{SEQ:4}, 也不符合手工编码格式 ^[A-Z0-9-]{2,32}$',
    );
    await expectRefused(
      requestRecode(h.core, admin, [{ from: c.b!, to: c.x! }], '测试'),
      'VALIDATION',
      `新编码 ${c.x} 本身也在这次要改掉的旧编码里`.slice(0, 0),
      `已是客户 ${c.x}`,
    );
  });
}

/** The CLI sheet recodes x and y. */
function sheet(h: Harness): void {
  const steward = stewardOn(h);

  it('CLI: the sheet is a dry run by default; a bad row stops the batch, naming both rows; --commit files it for approval', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recode-'));
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, `旧编码,新编码\n${c.x},KH-0010\n${c.y},kh-0010\n`);
    const r1 = await steward('codes', 'recode', bad);
    expect(r1.err).toBe('');
    expect(r1.code).toBe(1);
    expect(r1.out).toContain('✗ 第 3 行: 新编码 KH-0010 与第 2 行的新编码重复');
    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(good, `新编码,旧编码\nKH-0010,${c.x}\nKH-0011,${c.y}\n`);
    const r2 = await steward('codes', 'recode', good);
    expect(r2).toMatchObject({ code: 0 });
    expect(r2.out).toContain('只试运行, 没有提交');
    expect(await h.core.models.CustomerRecode.count({ where: { status: 'pending' } })).toBe(0);
    const r3 = await steward('codes', 'recode', good, '--commit', '--reason', '统一编码规则');
    expect(r3.out).toMatch(/已提交改编码申请 #(\d+) \(2 个客户\)/);
    const id = Number(/#(\d+)/.exec(r3.out)![1]);
    await approveRecode(h.core, approver, id);
    expect((await h.core.models.Customer.findAll({ where: { code: ['KH-0010', 'KH-0011'] } })).length).toBe(2);
  });
}

/** The stats count three recodes: a to KH-0001, x and y to KH-0010 and KH-0011. */
function stats(h: Harness): void {
  const steward = stewardOn(h);

  it('steward codes stats --json and 编码统计 count the recoded customers and name the gaps they left', async () => {
    await recodeApproved(h, [{ from: c.a!, to: 'KH-0001' }]);
    await recodeApproved(h, [
      { from: c.x!, to: 'KH-0010' },
      { from: c.y!, to: 'KH-0011' },
    ]);
    const r = await steward('codes', 'stats', '--json');
    const s = JSON.parse(r.out) as {
      origins: { recode: number };
      gaps: Array<{ numbers: Array<{ code: string; reason: string; to: string }> }>;
    };
    expect(s.origins.recode).toBe(3);
    expect(s.gaps[0]!.numbers).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: c.a, reason: 'recoded', to: 'KH-0001' })]),
    );
    const text = await say('zhangsan', '编码统计');
    expect(text).toContain(`${c.a} — 已改为 KH-0001`);
    expect(text).toContain('下一个自动编码: C20260006');
    expect(await say('zhangsan', '编码检查')).toContain('不符合规则的编码 3 个');
  });
}

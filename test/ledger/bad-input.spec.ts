import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { applyLedger } from '../../core/ledger/apply.js';
import type { LedgerDoc } from '../../core/ledger/types.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';

let erp: Actor;
let code: string;
const order = (number: string, extra: Record<string, unknown> = {}) => ({
  type: 'order',
  number,
  customerCode: code,
  date: '2026-03-01',
  total: '10.00',
  status: 'open',
  ...extra,
});
/** A receivable of 100 due 2026-04-01 for the test customer, with `extra` fields. */
const receivable = (number: string, extra: Record<string, unknown> = {}) => ({
  type: 'receivable',
  number,
  customerCode: code,
  amount: 100,
  dueDate: '2026-04-01',
  ...extra,
});

/** Pushes as the ERP; `messages` pushes one bad document and returns its errors as `field: message`. */
function erpFeed(h: Harness) {
  const push = (docs: (LedgerDoc | Record<string, unknown>)[], opts: { atomic?: boolean; dryRun?: boolean } = {}) =>
    applyLedger(h.core, erp, docs, { source: 'api', ...opts });
  const messages = async (doc: Record<string, unknown>) => {
    const r = await push([doc]);
    expect(r.outcomes[0]!.result).toBe('error');
    return (
      (r.outcomes[0]!.error!.details.errors as { field: string; message: string }[] | undefined)?.map(
        (e) => `${e.field}: ${e.message}`,
      ) ?? [r.outcomes[0]!.error!.message]
    );
  };
  return { push, messages };
}

/** The ERP's API actor (sales and finance) and one customer; each block gets its own database. */
function setupErp(h: Harness): void {
  beforeAll(async () => {
    erp = await h.actor('API:erp-bad', ['sales', 'finance'], 'api');
    code = (await newCustomer(h, erp)).code;
  });
}

eachDialect('ledger push: bad input', (h) => {
  setupErp(h);
  const { messages } = erpFeed(h);

  it('names the bad field in Chinese', async () => {
    expect(await messages(order('B-1', { total: 'abc' }))).toEqual([
      'total: 订单金额 (total) 应为数字金额, 例如 1234.50',
    ]);
    expect(await messages(order('B-2', { total: '12.345' }))).toEqual([
      'total: 订单金额 (total) 最多两位小数 (收到 12.345)',
    ]);
    expect(await messages(order('B-3', { total: 1.005 }))).toEqual([
      'total: 订单金额 (total) 最多两位小数 (收到 1.005)',
    ]);
    expect(await messages(order('B-4', { date: '2026/03/01' }))).toEqual([
      'date: 单据日期 (date) 格式应为 YYYY-MM-DD, 例如 2026-03-01',
    ]);
    expect(await messages(order('B-5', { date: '2026-02-30' }))).toEqual([
      'date: 单据日期 (date) 格式应为 YYYY-MM-DD, 例如 2026-03-01',
    ]);
    expect(await messages(order('B-6', { status: 'done' }))).toEqual([
      'status: 订单状态 (status) 只能是 open (未完成) / closed (已完成) / cancelled (已取消)',
    ]);
    expect(await messages(receivable('B-7', { paid: -5 }))).toEqual(['paid: 已收金额 (paid) 不能为负数']);
    expect(await messages(receivable('B-8', { paid: 150 }))).toEqual([
      'paid: 已收金额 (paid) 不能大于应收金额 (amount)',
    ]);
    expect(
      await messages({
        type: 'reservation',
        number: 'B-9',
        customerCode: code,
        product: 'X',
        quantity: 1.5,
        released: 'no',
      }),
    ).toEqual(['quantity: 预留数量 (quantity) 必须是正整数', 'released: 是否已释放 (released) 应为 true 或 false']);
    expect(await messages({ type: 'invoice', number: 'B-10' })).toEqual([
      'type: 单据类型 (type) 只能是 order / receivable / reservation',
    ]);
    expect(await messages({ type: 'order', customerCode: code, date: '2026-03-01', total: 1, status: 'open' })).toEqual(
      ['number: 缺少单号 (number)'],
    );
    expect(await messages(order('B-11', { customerCode: 'NOPE-404' }))).toEqual([
      '找不到编码为「NOPE-404」的客户。请核对编码, 或用「客户 名称/手机」搜索。',
    ]);
    expect(
      await h.core.models.SalesOrder.count({
        where: { customerId: (await h.core.models.Customer.findOne({ where: { code } }))!.id },
      }),
    ).toBe(0);
  });
});

eachDialect('ledger push: atomic, duplicates in one call, dry run, simultaneous pushes', (h) => {
  setupErp(h);
  const { push } = erpFeed(h);

  it('writes the good documents and reports the bad ones, unless atomic', async () => {
    const r = await push([order('MIX-1'), order('MIX-2', { total: -1 }), order('MIX-3')]);
    expect(r.counts).toEqual({ created: 2, updated: 0, unchanged: 0, error: 1 });
    expect(r.outcomes.map((o) => [o.number, o.result, o.applied])).toEqual([
      ['MIX-1', 'created', true],
      ['MIX-2', 'error', undefined],
      ['MIX-3', 'created', true],
    ]);

    const before = await h.core.models.LedgerEvent.count();
    const atomic = await push([order('AT-1'), order('AT-2', { customerCode: 'NOPE-404' })], { atomic: true });
    expect(atomic).toMatchObject({ applied: false, counts: { created: 1, error: 1 } });
    expect(atomic.outcomes.map((o) => [o.result, o.applied, o.error?.code])).toEqual([
      ['created', false, undefined],
      ['error', undefined, 'CUSTOMER_NOT_FOUND'],
    ]);
    expect(await h.core.models.SalesOrder.count({ where: { number: 'AT-1' } })).toBe(0);
    expect(await h.core.models.LedgerEvent.count()).toBe(before);
  });

  it('refuses a number sent twice in one call, and writes nothing on a dry run', async () => {
    const r = await push([order('DUP-1'), order('dup-1', { total: 11 })]);
    expect(r.outcomes[1]!.error!.message).toContain('订单单号 DUP-1 在本次提交中重复 (与第 1 条相同)');
    const dry = await push([order('DRY-1')], { dryRun: true });
    expect(dry).toMatchObject({
      applied: false,
      counts: { created: 1 },
      outcomes: [{ result: 'created', applied: false }],
    });
    expect(await h.core.models.SalesOrder.count({ where: { number: 'DRY-1' } })).toBe(0);
  });

  it('answers created to one and updated to the other of two simultaneous pushes of a new number', async () => {
    // Two pushes of the same new number at once: one creates it, the other must not fail.
    const [a, b] = await Promise.all([push([order('RACE-1')]), push([order('RACE-1', { total: '12.00' })])]);
    expect([a.outcomes[0]!.result, b.outcomes[0]!.result].sort()).toEqual(['created', 'updated']);
    expect(await h.core.models.SalesOrder.count({ where: { number: 'RACE-1' } })).toBe(1);
  });
});

import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { dismissDuplicate } from '../../core/customers/duplicates/dismiss.js';
import { scanText } from '../../core/customers/duplicates/format.js';
import { findDuplicatePairs, MAX_GROUP, type DuplicatePair } from '../../core/customers/duplicates/scan.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { requestMerge } from '../../core/customers/merge/request.js';
import { integrityReport, integrityText } from '../../core/review/integrity.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused } from '../core/fixtures.js';

const pairOf = (pairs: DuplicatePair[], x: string, y: string) =>
  pairs.find((p) => (p.a.code === x && p.b.code === y) || (p.a.code === y && p.b.code === x));

let admin: Actor;
let zhang: number;
let li: number;
const c: Record<string, string> = {};

/** Creates a customer (likely duplicates allowed) and keeps its code in `c` under `key`. */
const adder = (h: Harness) => async (key: string, input: CustomerInput) => {
  c[key] = (await createCustomer(h.core, admin, input, { allowDuplicates: true })).customer.code;
};

/** Names written three ways (a1–a3), phones (p1, p2), both (b1, b2), a deleted twin, a crowd of 散客, one alone. */
function setupCustomers(h: Harness): void {
  const add = adder(h);

  beforeAll(async () => {
    admin = await h.actor('管理员', ['admin']);
    zhang = (await h.operator('张三', ['sales'])).id;
    li = (await h.operator('李四', ['sales'])).id;
    // The same company written three ways: suffix, full-width brackets and spaces, a zero-width space.
    await add('a1', { name: '华为技术有限公司', ownerId: zhang });
    await add('a2', { name: '华为 技术（有限公司）', ownerId: li });
    await add('a3', { name: '华为\u200b技术有限责任公司', ownerId: zhang });
    // Same phone, written differently; different names.
    await add('p1', { name: '甲商行', phone: '13900000002', ownerId: zhang });
    await add('p2', { name: '乙门市部', phone: '+86 139-0000-0002', ownerId: li });
    // Both signals: full-width letters, case, 股份有限公司.
    await add('b1', { name: 'Ｂｅｔａ Trading 股份有限公司', phone: '13700000003', ownerId: li });
    await add('b2', { name: 'beta trading', phone: '137 0000 0003', ownerId: li });
    // A deleted customer with the same name is not a candidate.
    await add('gone', { name: '华为技术', ownerId: zhang });
    await h.core.models.Customer.update({ status: 'deleted' }, { where: { code: c.gone } });
    // Too many with one name (散客): a crowd, not 210 pairs.
    for (let i = 0; i <= MAX_GROUP; i++) await add(`walk${i}`, { name: '散客' });
    // Unrelated.
    await add('alone', { name: '独一无二的客户', phone: '13600000009' });
  });
}

eachDialect('疑似重复: the scan finds same phone and same normalised name, by customer and by owner', (h) => {
  setupCustomers(h);

  it('finds each signal, strongest first, with owners by name, and leaves deleted customers and crowds out of the pairs', async () => {
    const scan = await findDuplicatePairs(h.core);
    expect(scan.pairs[0]).toMatchObject({
      a: { code: c.b1, owner: '李四' },
      b: { code: c.b2 },
      signals: ['phone', 'name'],
    });
    expect(pairOf(scan.pairs, c.p1!, c.p2!)).toMatchObject({
      signals: ['phone'],
      a: { owner: '张三' },
      b: { owner: '李四' },
    });
    for (const [x, y] of [
      ['a1', 'a2'],
      ['a1', 'a3'],
      ['a2', 'a3'],
    ] as const)
      expect(pairOf(scan.pairs, c[x]!, c[y]!)?.signals).toEqual(['name']);
    expect(scan.pairs).toHaveLength(5);
    expect(scan.pairs.some((p) => p.a.code === c.gone || p.b.code === c.gone)).toBe(false);
    expect(scan.crowds).toEqual([
      { signal: 'name', size: MAX_GROUP + 1, codes: [c.walk0, c.walk1, c.walk2, c.walk3, c.walk4] },
    ]);
    const text = scanText(scan, 10);
    expect(text).toContain('疑似重复客户 5 对 (同手机 2, 同名称 4):');
    expect(text).toContain(
      `1. ${c.b1} Ｂｅｔａ Trading 股份有限公司 (李四) ≈ ${c.b2} beta trading (李四) — 同手机、同名称\n   是同一客户: 合并客户 ${c.b1} ${c.b2}`,
    );
    expect(text).toContain(`同一名称有 ${MAX_GROUP + 1} 个客户`);
  });

  it('narrows to one customer or to one owner', async () => {
    const one = await findDuplicatePairs(h.core, {
      customerId: (await h.core.models.Customer.findOne({ where: { code: c.a1 } }))!.id,
    });
    expect(one.pairs.map((p) => [p.a.code, p.b.code])).toEqual([
      [c.a1, c.a2],
      [c.a1, c.a3],
    ]);
    const lis = await findDuplicatePairs(h.core, { ownerId: li });
    expect(lis.pairs.every((p) => p.a.ownerId === li || p.b.ownerId === li)).toBe(true);
    expect(lis.pairs).toHaveLength(4);
  });
});

eachDialect('疑似重复: dismissed pairs stay away, and the integrity check counts the pairs', (h) => {
  setupCustomers(h);

  it('忽略 keeps a pair away for good, with an audit event; refusals are specific', async () => {
    const d = await dismissDuplicate(h.core, admin, c.p2!, c.p1!, '两家不同的店, 共用老板手机');
    expect([d.codeA, d.codeB]).toEqual([c.p1, c.p2]);
    const scan = await findDuplicatePairs(h.core);
    expect(pairOf(scan.pairs, c.p1!, c.p2!)).toBeUndefined();
    expect(scan.dismissed).toBe(1);
    expect(scanText(scan, 10)).toContain('已忽略 1 对');
    const event = await h.core.models.AuditEvent.findOne({ where: { action: 'duplicate.dismiss' } });
    expect(event).toMatchObject({ customerCode: c.p1, operatorName: '管理员' });
    expect(JSON.parse(event!.diff).info).toEqual({
      other: c.p2,
      otherId: expect.any(Number),
      reason: '两家不同的店, 共用老板手机',
    });
    await expectRefused(
      dismissDuplicate(h.core, admin, c.p1!, c.p2!),
      'CONFLICT',
      `${c.p1} 与 ${c.p2} 已于`,
      '被 管理员 标为不是重复',
    );
    await expectRefused(
      dismissDuplicate(h.core, await h.actor('只读', ['viewer']), c.a1!, c.a2!),
      'NOT_PERMITTED',
      '合并重复客户',
    );
    await expectRefused(dismissDuplicate(h.core, admin, c.a1!, c.a1!.toLowerCase()), 'VALIDATION', '同一个客户');
    await expectRefused(dismissDuplicate(h.core, admin, c.a1!, 'C-NOPE'), 'CUSTOMER_NOT_FOUND', 'C-NOPE');
    await expectRefused(dismissDuplicate(h.core, admin, c.a1!, c.gone!), 'CUSTOMER_DELETED', '回收站');
    expect(await h.core.models.DuplicateDismissal.count()).toBe(1);
  });

  it('the weekly integrity check (and `steward check`) counts the pairs', async () => {
    const report = await integrityReport(h.core);
    const pairs = (await findDuplicatePairs(h.core)).pairs;
    expect(report.findings.find((f) => f.key === 'duplicateCustomers')).toMatchObject({
      severity: 'warning',
      count: pairs.length,
      samples: pairs.map((p) => `${p.a.code} ≈ ${p.b.code}`),
    });
    expect(integrityText(report)).toContain(
      `⚠️ 疑似重复客户 (同手机/同名称/与已并入的客户相同): ${pairs.length} — ${c.b1} ≈ ${c.b2}`,
    );
  });
});

eachDialect('疑似重复: merged pairs stay away, and new look-alikes match the survivor', (h) => {
  setupCustomers(h);
  const add = adder(h);

  it('a merged pair does not come back; a new customer like the merged-in one matches the survivor', async () => {
    await add('m1', { name: '瑞丰五金', ownerId: zhang });
    await add('m2', { name: '瑞丰五金有限公司', ownerId: zhang });
    expect(pairOf((await findDuplicatePairs(h.core)).pairs, c.m1!, c.m2!)?.signals).toEqual(['name']);
    const { merge } = await requestMerge(h.core, admin, {
      keep: c.m1!,
      absorb: [c.m2!],
      reason: '重复录入',
      values: { name: '杭州瑞丰五金集团' },
    });
    await approveMerge(h.core, await h.actor('审批人', ['approver']), merge.id);
    let scan = await findDuplicatePairs(h.core);
    expect(scan.pairs.some((p) => [p.a.code, p.b.code].includes(c.m2!))).toBe(false);
    expect(scan.pairs.some((p) => [p.a.code, p.b.code].includes(c.m1!))).toBe(false);
    // Someone types the old name again: it is the survivor's old name (the merged-in customer's).
    await add('x', { name: '瑞丰五金 有限公司', ownerId: li });
    scan = await findDuplicatePairs(h.core);
    expect(pairOf(scan.pairs, c.m1!, c.x!)).toMatchObject({
      a: { code: c.m1, name: '杭州瑞丰五金集团' },
      signals: ['alias'],
    });
    expect(scanText(scan, 20)).toContain(
      `${c.m1} 杭州瑞丰五金集团 (张三) ≈ ${c.x} 瑞丰五金 有限公司 (李四) — 与已并入的客户相同`,
    );
    await expectRefused(dismissDuplicate(h.core, admin, c.m2!, c.x!), 'CUSTOMER_MERGED', `${c.m2} 已并入 ${c.m1}`);
  });
});

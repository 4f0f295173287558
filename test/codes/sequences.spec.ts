import { beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { codeStatsText } from '../../core/customers/code-stats-text.js';
import { scopeName } from '../../core/customers/codes.js';
import { createCustomer } from '../../core/customers/create.js';
import { requestMerge } from '../../core/customers/merge/request.js';
import { approveMerge } from '../../core/customers/merge/act.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer, uniqueName } from '../core/fixtures.js';

let admin: Actor;
let approver: Actor;

/** What an operator changing CODE_RULE and restarting would get: the same database, a config with the new rule. */
const ruleSetter = (h: Harness) => (rule: string) => h.reconfigure({ CODE_RULE: rule });

/** The operators, on 2026-03-15 (Shanghai) at the start of every test. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('编码管理员', ['admin']);
    approver = await h.actor('编码审批人', ['approver']);
  });
  beforeEach(() => h.setNow(new Date('2026-03-15T04:00:00Z')));
}

eachDialect('code sequences per rule', (h) => {
  setupActors(h);
  counterPerRule(h, ruleSetter(h));
});

eachDialect('编码统计 over codes of two rules and two years', (h) => {
  setupActors(h);
  codeStatsOverAll(h, ruleSetter(h));
});

/** Each rule keeps its own counter, and an old counter is adopted by the rule that made its codes. */
function counterPerRule(h: Harness, setRule: (rule: string) => void): void {
  it('keep a separate counter per rule: B starts at 0001, switching back to A carries on A', async () => {
    setRule('C{YYYY}{SEQ:4}');
    expect([(await newCustomer(h, admin)).code, (await newCustomer(h, admin)).code]).toEqual([
      'C20260001',
      'C20260002',
    ]);
    setRule('KH{YYYY}-{SEQ:4}');
    expect([(await newCustomer(h, admin)).code, (await newCustomer(h, admin)).code]).toEqual([
      'KH2026-0001',
      'KH2026-0002',
    ]);
    setRule('C{YYYY}{SEQ:4}');
    expect((await newCustomer(h, admin)).code).toBe('C20260003');
    // This test's counters: the 2026 ones (another test here counts 2025).
    const rows = await h.core.models.CodeSequence.findAll({ where: { period: '2026' }, raw: true });
    expect(rows.map((r) => [r.rule, r.period, r.nextValue]).sort()).toEqual([
      ['C{YYYY}{SEQ:4}', '2026', 4],
      ['KH{YYYY}-{SEQ:4}', '2026', 3],
    ]);
  });

  it('adopt a counter made before 0017 for the rule that made its codes, not for a new rule', async () => {
    const { CodeSequence, Customer } = h.core.models;
    // As 0017 finds an older database: the 2025 counter under the old scope name, rule unknown.
    await Customer.create({ code: 'C20250007', name: uniqueName(), nameNorm: uniqueName() } as never);
    await CodeSequence.create({ scope: 'customer-2025', nextValue: 8 });
    h.setNow(new Date('2025-06-01T04:00:00Z'));
    try {
      setRule('KH{YYYY}-{SEQ:4}');
      expect((await newCustomer(h, admin)).code).toBe('KH2025-0001');
      expect((await CodeSequence.findByPk('customer-2025'))?.rule).toBeNull();
      setRule('C{YYYY}{SEQ:4}');
      expect((await newCustomer(h, admin)).code).toBe('C20250008');
      expect(await CodeSequence.findByPk('customer-2025')).toBeNull();
      expect((await CodeSequence.findByPk(scopeName('C{YYYY}{SEQ:4}', '2025')))?.nextValue).toBe(9);
    } finally {
      h.setNow(new Date('2026-03-15T04:00:00Z'));
    }
  });
}

/**
 * The codes 编码统计 counts besides its own: C20260001-0003 and KH2026-0001/0002 made under two
 * rules, and in 2025 a counter from before 0017 (C20250007), then KH2025-0001 and C20250008.
 */
async function codesOfTwoRules(h: Harness, setRule: (rule: string) => void): Promise<void> {
  for (const rule of ['C{YYYY}{SEQ:4}', 'C{YYYY}{SEQ:4}', 'KH{YYYY}-{SEQ:4}', 'KH{YYYY}-{SEQ:4}', 'C{YYYY}{SEQ:4}']) {
    setRule(rule);
    await newCustomer(h, admin);
  }
  await h.core.models.Customer.create({ code: 'C20250007', name: uniqueName(), nameNorm: uniqueName() } as never);
  await h.core.models.CodeSequence.create({ scope: 'customer-2025', nextValue: 8 });
  h.setNow(new Date('2025-06-01T04:00:00Z'));
  for (const rule of ['KH{YYYY}-{SEQ:4}', 'C{YYYY}{SEQ:4}']) {
    setRule(rule);
    await newCustomer(h, admin);
  }
  h.setNow(new Date('2026-03-15T04:00:00Z'));
}

/** 编码统计 over codes of two rules and two years, with a deletion, a merge and a lost row. */
function codeStatsOverAll(h: Harness, setRule: (rule: string) => void): void {
  it('编码统计: counts per rule and year, auto vs manual, off-rule, gaps with reasons, the next code', async () => {
    await codesOfTwoRules(h, setRule);
    setRule('C{YYYY}{SEQ:4}');
    await newCustomer(h, admin, { code: 'VIP-001' });
    const gone = await newCustomer(h, admin); // C20260004: deleted
    const dupName = uniqueName('合并');
    const keep = await newCustomer(h, admin, { name: dupName }); // C20260005
    const dup = (await createCustomer(h.core, admin, { name: dupName }, { allowDuplicates: true })).customer; // C20260006: merged
    const lost = await newCustomer(h, admin); // C20260007: row removed behind core's back
    await newCustomer(h, admin); // C20260008
    const req = await requestDeletion(h.core, admin, gone.code, '重复录入');
    await approve(h.core, approver, req.id);
    const { merge } = await requestMerge(h.core, admin, { keep: keep.code, absorb: [dup.code], reason: '重复录入' });
    await approveMerge(h.core, approver, merge.id);
    await h.core.models.Customer.destroy({ where: { code: lost.code } });
    // A legacy row with no bookkeeping, as a bulk import leaves it.
    await h.core.models.Customer.create({ code: 'OLD-9', name: uniqueName(), nameNorm: uniqueName() } as never);

    const s = await codeStats(h.core);
    expect(s.rule).toBe('C{YYYY}{SEQ:4}');
    // Auto: C2026 0001-0003, 0005, 0008; C20250007 (filled in) and C20250008; three KH codes. Manual: VIP-001, OLD-9.
    expect(s.origins).toEqual({ auto: 10, manual: 2, recode: 0 });
    expect(s.offRule).toBe(5); // VIP-001, OLD-9 and the three KH codes
    const c2026 = s.groups.find((g) => g.rule === 'C{YYYY}{SEQ:4}' && g.year === '2026')!;
    expect(c2026).toMatchObject({ prefix: 'C', count: 5, nextValue: 9, current: true });
    expect(s.groups.find((g) => g.rule === 'KH{YYYY}-{SEQ:4}' && g.year === '2026')).toMatchObject({
      prefix: 'KH',
      count: 2,
      current: false,
    });
    const gaps = s.gaps.find((g) => g.year === '2026')!;
    expect(gaps.missing).toBe(3);
    expect(gaps.numbers).toEqual([
      { seq: 4, code: 'C20260004', reason: 'deleted', to: null },
      { seq: 6, code: 'C20260006', reason: 'merged', to: keep.code },
      { seq: 7, code: 'C20260007', reason: 'unknown', to: null },
    ]);
    expect(s.next).toBe('C20260009');
    const text = codeStatsText(s);
    expect(text).toContain('不符合当前规则: 5 个');
    expect(text).toContain('• C{YYYY}{SEQ:4} (当前) 前缀 C 2026 年: 5 个, 计数器到 8');
    expect(text).toContain(`C20260006 — 已并入 ${keep.code}`);
    expect(text).toContain('C20260004 — 已删除 (在回收站)');
    expect(text).toContain('下一个自动编码: C20260009');
    expect(await h.core.models.Customer.count({ where: { codeOrigin: null } })).toBe(0);
  });
}

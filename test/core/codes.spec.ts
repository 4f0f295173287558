import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UniqueConstraintError } from 'sequelize';
import type { Actor } from '../../core/context.js';
import { codeKey, codeReport } from '../../core/customers/code-report.js';
import { formatCode, localParts, normalizeCode, ruleRegex, scopeName } from '../../core/customers/codes.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { createOrder } from '../../core/orders.js';
import { withTransaction } from '../../models/tx.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, newCustomer, uniqueName } from './fixtures.js';

describe('code rules (pure)', () => {
  const d = new Date('2026-03-15T04:00:00Z');
  it('fill every token: {YYYY}, {YY}, {MM}, {SEQ:n} and a fixed prefix', () => {
    expect(formatCode('C{YYYY}{SEQ:4}', d, 1, 'Asia/Shanghai')).toBe('C20260001');
    expect(formatCode('KH{YY}{MM}-{SEQ:3}', d, 42, 'Asia/Shanghai')).toBe('KH2603-042');
    expect(formatCode('X{SEQ:1}', d, 12, 'Asia/Shanghai')).toBe('X12');
  });

  it('use the local calendar: 2026-12-31 17:00 UTC is already 2027 in Shanghai', () => {
    expect(formatCode('C{YYYY}{MM}{SEQ:2}', new Date('2026-12-31T17:00:00Z'), 1, 'Asia/Shanghai')).toBe('C20270101');
  });

  it('read the local day afresh at each minute, and in each zone', () => {
    const at = (iso: string, tz = 'Asia/Shanghai') => localParts(new Date(iso), tz);
    expect(at('2026-12-31T15:59:59Z')).toEqual({ year: '2026', month: '12', day: '31' });
    const first = at('2026-12-31T15:59:00Z');
    first.day = '99';
    expect(at('2026-12-31T15:59:30Z').day).toBe('31');
    expect(at('2026-12-31T16:00:00Z')).toEqual({ year: '2027', month: '01', day: '01' });
    expect(at('2026-12-31T16:00:10Z', 'Asia/Kathmandu')).toEqual({ year: '2026', month: '12', day: '31' });
    expect(at('2026-12-31T18:15:00Z', 'Asia/Kathmandu').day).toBe('01');
  });

  it('build a regex that accepts what the rule produces and nothing else', () => {
    const re = ruleRegex('KH{YY}{MM}-{SEQ:3}');
    expect(re.test('KH2603-042')).toBe(true);
    expect(re.test('KH2603-1042')).toBe(true);
    expect(re.test('KH2603042')).toBe(false);
    expect(re.test('kh2603-042')).toBe(false);
  });

  it('normalise codes: trimmed, half-width, upper-case; near-duplicate key ignores separators', () => {
    expect(normalizeCode('  ｃ-００１ ')).toBe('C-001');
    expect(normalizeCode('\u3000ｖｉｐ－００７\u3000')).toBe('VIP-007');
    expect(codeKey('c-001')).toBe(codeKey('Ｃ００１'));
    expect(codeKey('C 001')).toBe('C001');
  });
});

let admin: Actor;

/** Inserts customers with these codes behind core's back; returns the codes the database kept. */
async function insertLegacyCodes(h: Harness, codes: string[]): Promise<string[]> {
  const stored: string[] = [];
  for (const code of codes) {
    try {
      await h.core.models.Customer.create({ code, name: `遗留${code}`, nameNorm: `遗留${code}` } as never);
      stored.push(code);
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
    }
  }
  return stored;
}

/** An admin, on 2026-03-15 (Shanghai); each block gets its own database. */
function setupDefaultRule(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('编码管理员', ['admin']);
  });
  beforeEach(() => h.setNow(new Date('2026-03-15T04:00:00Z')));
}

/** One test on a database of its own: its codes are counted from a fresh counter. */
function onOwnDatabase(title: string, test: (h: Harness) => Promise<void>): void {
  eachDialect(`customer codes, default rule C{YYYY}{SEQ:4}: ${title}`, (h) => {
    setupDefaultRule(h);
    it(title, () => test(h));
  });
}

onOwnDatabase('auto-generate C20260001, C20260002, … in the current year', async (h) => {
  const a = await newCustomer(h, admin);
  const b = await newCustomer(h, admin);
  expect([a.code, b.code]).toEqual(['C20260001', 'C20260002']);
});

onOwnDatabase('reset the sequence each year (yearly reset, local time zone)', async (h) => {
  await newCustomer(h, admin); // C20260001
  await newCustomer(h, admin); // C20260002
  h.setNow(new Date('2026-12-31T17:00:00Z'));
  expect((await newCustomer(h, admin)).code).toBe('C20270001');
  h.setNow(new Date('2026-03-15T04:00:00Z'));
  expect((await newCustomer(h, admin)).code).toBe('C20260003');
});

onOwnDatabase('skip a number somebody already typed by hand', async (h) => {
  for (let i = 0; i < 3; i += 1) await newCustomer(h, admin); // C20260001 … C20260003
  await newCustomer(h, admin, { code: 'c20260004' });
  expect((await newCustomer(h, admin)).code).toBe('C20260005');
});

onOwnDatabase('refuse a manual code that does not match the format, saying what is allowed', async (h) => {
  for (const bad of ['C 001', '客户一号', 'A', 'X'.repeat(33), 'C_001']) {
    const err = await expectRefused(
      createCustomer(h.core, admin, { name: uniqueName(), code: bad }),
      bad.length > 32 ? 'VALIDATION' : 'CODE_FORMAT',
    );
    if (err.code === 'CODE_FORMAT') expect(err.message).toContain('只能用字母、数字和 -');
  }
});

eachDialect('customer codes, default rule C{YYYY}{SEQ:4}: parallel creates', (h) => {
  setupDefaultRule(h);

  it('give 200 parallel creates 200 distinct codes and no error', async () => {
    h.setNow(new Date('2028-05-01T04:00:00Z'));
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => createCustomer(h.core, admin, { name: `并发客户${i}号` })),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const codes = results.map(
        (r) => (r as PromiseFulfilledResult<{ customer: { code: string } }>).value.customer.code,
      );
      expect(new Set(codes).size).toBe(200);
      expect([...codes].sort()).toEqual(
        Array.from({ length: 200 }, (_, i) => `C2028${String(i + 1).padStart(4, '0')}`),
      );
    } finally {
      h.setNow(new Date('2026-03-15T04:00:00Z'));
    }
  });

  it("take a first-used sequence inside callers' own transactions, 20 in parallel", async () => {
    h.setNow(new Date('2029-05-01T04:00:00Z'));
    try {
      const { sequelize } = h.core.models;
      const made = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          withTransaction(sequelize, (t) =>
            createCustomer(h.core, admin, { name: `事务内客户${i}号` }, { transaction: t }),
          ),
        ),
      );
      expect(new Set(made.map((r) => r.customer.code)).size).toBe(20);
      expect(made.map((r) => r.customer.code).sort()[19]).toBe('C20290020');
    } finally {
      h.setNow(new Date('2026-03-15T04:00:00Z'));
    }
  });
});

onOwnDatabase('accept a manual code after normalising it: "  ｃ-００１ " is stored as C-001', async (h) => {
  const c = await newCustomer(h, admin, { code: '  ｃ-００１ ' });
  expect(c.code).toBe('C-001');
});

eachDialect('customer codes, default rule C{YYYY}{SEQ:4}: manual codes and changes', (h) => {
  setupDefaultRule(h);
  // A customer holding C-001, which the tests below try to take (and never change).
  beforeAll(async () => {
    await newCustomer(h, admin, { code: 'C-001' });
  });

  it('refuse a code that is taken, also when it differs only by width or case', async () => {
    await expectRefused(
      createCustomer(h.core, admin, { name: uniqueName(), code: 'C-001' }),
      'CODE_TAKEN',
      '「C-001」已被占用',
    );
    await expectRefused(createCustomer(h.core, admin, { name: uniqueName(), code: 'ｃ－００１' }), 'CODE_TAKEN');
  });

  it('enforce uniqueness in the database too', async () => {
    const dup = h.core.models.Customer.create({ code: 'C-001', name: '绕过核心', nameNorm: '绕过核心' } as never);
    await expect(dup).rejects.toBeInstanceOf(UniqueConstraintError);
  });

  it('refuse a code change once an order references it, with the reason (CODE_LOCKED)', async () => {
    const c = await newCustomer(h, admin);
    await createOrder(h.core, admin, { customerCode: c.code, total: '99.00' });
    const err = await expectRefused(
      editCustomer(h.core, admin, c.code, { code: 'NEW-CODE' }),
      'CODE_LOCKED',
      c.code,
      '1 张订单',
    );
    expect(err.details).toMatchObject({ orders: 1 });
    const { customer } = await editCustomer(h.core, admin, c.code, { note: '编码锁定后仍可改备注' });
    expect(customer.code).toBe(c.code);
    expect(customer.note).toBe('编码锁定后仍可改备注');
  });

  it('allow a code change while no order references the customer', async () => {
    const c = await newCustomer(h, admin);
    const { customer } = await editCustomer(h.core, admin, c.code, { code: 'vip-100' });
    expect(customer.code).toBe('VIP-100');
    await expectRefused(editCustomer(h.core, admin, 'VIP-100', { code: 'C-001' }), 'CODE_TAKEN');
  });
});

onOwnDatabase('report off-rule codes and near-duplicates for tidying legacy data', async (h) => {
  // Its own codes: one on the rule (C20260001) and the manual C-001 and VIP-100.
  await newCustomer(h, admin);
  await newCustomer(h, admin, { code: 'C-001' });
  await newCustomer(h, admin, { code: 'VIP-100' });
  // Legacy rows bypass core (as an old import would). MariaDB's case- and width-insensitive
  // collation refuses 'Ｃ００１' next to 'C001' by itself; SQLite keeps both.
  const legacy = ['c-001', 'C001', 'Ｃ００１', 'OLD-9'];
  const stored = await insertLegacyCodes(h, legacy);
  if (h.dialect === 'mariadb') expect(stored).toEqual(['C001', 'OLD-9']);
  else expect(stored).toEqual(legacy);
  const report = await codeReport(h.core);
  expect(report.rule).toBe('C{YYYY}{SEQ:4}');
  expect(report.offRule).toEqual(
    expect.arrayContaining(['C-001', 'VIP-100', 'OLD-9', ...stored.filter((c) => c !== 'OLD-9')]),
  );
  expect(report.offRule).not.toContain('C20260001');
  const group = report.nearDuplicates.find((g) => g.includes('C001'));
  expect(group?.sort()).toEqual(['C-001', ...stored.filter((c) => c !== 'OLD-9')].sort());
  expect(report.nearDuplicates.some((g) => g.includes('OLD-9'))).toBe(false);
});

eachDialect(
  'customer codes, rule KH{YY}{MM}-{SEQ:3} with a global sequence',
  (h) => {
    let admin: Actor;
    beforeAll(async () => {
      admin = await h.actor('编码管理员', ['admin']);
    });

    it('fill {YY}{MM}, keep the prefix and count on across years', async () => {
      h.setNow(new Date('2026-03-15T04:00:00Z'));
      const a = await newCustomer(h, admin);
      const b = await newCustomer(h, admin);
      h.setNow(new Date('2027-01-10T04:00:00Z'));
      const c = await newCustomer(h, admin);
      expect([a.code, b.code, c.code]).toEqual(['KH2603-001', 'KH2603-002', 'KH2701-003']);
    });

    it('judge off-rule codes against the configured rule', async () => {
      await newCustomer(h, admin, { code: 'C20260001' });
      const report = await codeReport(h.core);
      expect(report.rule).toBe('KH{YY}{MM}-{SEQ:3}');
      expect(report.offRule).toEqual(['C20260001']);
    });

    it('accept only what CODE_MANUAL_PATTERN allows', async () => {
      await expectRefused(createCustomer(h.core, admin, { name: uniqueName(), code: 'kh2603' }), 'CODE_FORMAT', '^KH');
      expect((await newCustomer(h, admin, { code: 'kh2603-900' })).code).toBe('KH2603-900');
    });
  },
  {
    CODE_RULE: 'KH{YY}{MM}-{SEQ:3}',
    CODE_SEQ_RESET: 'global',
    CODE_MANUAL_PATTERN: '^KH[0-9]{4}-[0-9]{3,}$|^C[0-9]{8}$',
  },
);

eachDialect(
  'customer codes, a rule without a year and a yearly reset',
  (h) => {
    it('count on instead of restarting at 00001 each year (which would only produce taken codes)', async () => {
      const admin = await h.actor('编码管理员', ['admin']);
      h.setNow(new Date('2026-06-01T04:00:00Z'));
      const a = await newCustomer(h, admin);
      h.setNow(new Date('2027-06-01T04:00:00Z'));
      const b = await newCustomer(h, admin);
      expect([a.code, b.code]).toEqual(['CUST-00001', 'CUST-00002']);
      const seqs = await h.core.models.CodeSequence.findAll({ raw: true });
      expect(seqs.map((s) => [s.scope, s.rule, s.period])).toEqual([
        [scopeName('CUST-{SEQ:5}', ''), 'CUST-{SEQ:5}', ''],
      ]);
    });
  },
  { CODE_RULE: 'CUST-{SEQ:5}', CODE_SEQ_RESET: 'yearly' },
);

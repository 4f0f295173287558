import { expect, it } from '@jest/globals';
import { registerJobs } from '../../cli/commands/jobs.js';
import { jobActor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { eachDialect } from '../helpers/db.js';
import { runSteward } from '../helpers/steward-cli.js';

eachDialect('steward check --duplicates (in process, on the test database)', (h) => {
  const steward = (...argv: string[]) => runSteward(registerJobs, h.core, argv);

  it('steward check reports 疑似重复 as a warning (exit 0) and lists every pair with --duplicates', async () => {
    const job = jobActor('test');
    const a = (await createCustomer(h.core, job, { name: '金华义乌小商品有限公司', phone: '13300000001' })).customer
      .code;
    const b = (
      await createCustomer(h.core, job, { name: '金华义乌小商品', phone: '13300000001' }, { allowDuplicates: true })
    ).customer.code;
    const r = await steward('check', '--duplicates');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`⚠️ 疑似重复客户 (同手机/同名称/与已并入的客户相同): 1 — ${a} ≈ ${b}`);
    expect(r.out).toContain(
      `疑似重复客户 1 对 (同手机 1, 同名称 1):\n1. ${a} 金华义乌小商品有限公司 (未分配) ≈ ${b} 金华义乌小商品 (未分配) — 同手机、同名称\n   是同一客户: 合并客户 ${a} ${b}`,
    );
    expect(r.out).not.toContain('13300000001');
    const json = JSON.parse((await steward('check', '--duplicates', '--json')).out) as {
      duplicates: { pairs: { a: { code: string }; signals: string[] }[] };
    };
    expect(json.duplicates.pairs).toEqual([
      expect.objectContaining({ a: expect.objectContaining({ code: a }), signals: ['phone', 'name'] }),
    ]);
  });
});

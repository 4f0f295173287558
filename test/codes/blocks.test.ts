import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { openCore } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import type { Actor, Core } from '../../core/context.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { createCustomer } from '../../core/customers/create.js';
import { createLogger } from '../../core/logger.js';
import { eachDialect } from '../helpers/db.js';
import { uniqueName } from '../core/fixtures.js';

/*
 * CODE_BLOCK_SIZE=5 with two instances on one database, as two cluster nodes: each takes five
 * numbers at a time, so the counter row is written once a block, and no code is given twice.
 */
eachDialect('automatic codes taken a block at a time (CODE_BLOCK_SIZE)', (h) => {
  let a: Core;
  let b: Core;
  let admin: Actor;
  const create = (core: Core) =>
    createCustomer(core, admin, { name: uniqueName('号段客户') }).then((r) => r.customer.code);
  const counter = async () => (await h.core.models.CodeSequence.findAll({ raw: true })).map((r) => r.nextValue);

  beforeAll(async () => {
    h.setNow(new Date('2026-05-10T04:00:00Z'));
    const open = () =>
      openCore(loadConfig({ ...h.core.config.env, CODE_BLOCK_SIZE: '5' }), createLogger('silent'), () => h.core.now());
    [a, b] = [open(), open()];
    admin = await h.actor('号段管理员', ['admin']);
  });

  afterAll(async () => {
    await a.models.sequelize.close();
    await b.models.sequelize.close();
  });

  it('hands each instance its own block: A 1–5, B 6–10, and the counter moves once per block', async () => {
    expect(await create(a)).toBe('C20260001');
    expect(await counter()).toEqual([6]);
    expect(await create(b)).toBe('C20260006');
    expect(await counter()).toEqual([11]);
    expect([await create(a), await create(a), await create(b)]).toEqual(['C20260002', 'C20260003', 'C20260007']);
    expect(await counter()).toEqual([11]);
    // A uses up its block and takes the next free one.
    expect([await create(a), await create(a), await create(a)]).toEqual(['C20260004', 'C20260005', 'C20260011']);
    expect(await counter()).toEqual([16]);
  });

  it('gives 29 concurrent creates on two instances 29 different codes, and 编码统计 shows the numbers still held as gaps', async () => {
    const codes = await Promise.all(Array.from({ length: 29 }, (_v, i) => create(i % 2 ? a : b)));
    expect(new Set(codes).size).toBe(29);
    const all = (await h.core.models.Customer.findAll({ attributes: ['code'], raw: true })).map((r) => r.code);
    expect(new Set(all).size).toBe(all.length);
    const stats = await codeStats(h.core);
    // A had 4 numbers left and takes 14 (two more blocks, none left); B had 3 and takes 15 (three blocks, 3 left).
    expect(Number((await counter())[0]) - 1 - all.length).toBe(3);
    expect(stats.gaps[0]!.missing).toBe(3);
  });

  it('gives the number of a refused create back: the next create on that instance takes it, no gap', async () => {
    const c = openCore(loadConfig({ ...h.core.config.env, CODE_BLOCK_SIZE: '5' }), createLogger('silent'), () =>
      h.core.now(),
    );
    try {
      const name = uniqueName('重名客户');
      const first = (await createCustomer(c, admin, { name })).customer.code;
      await expect(createCustomer(c, admin, { name })).rejects.toThrow(/可能与已有客户重复/);
      expect(Number((await create(c)).slice(-4))).toBe(Number(first.slice(-4)) + 1);
    } finally {
      await c.models.sequelize.close();
    }
  });
});

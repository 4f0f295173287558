import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { openCore } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import type { Actor, Core } from '../../core/context.js';
import { codeStats } from '../../core/customers/code-stats.js';
import { createCustomer } from '../../core/customers/create.js';
import { createLogger } from '../../core/logger.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { uniqueName } from '../core/fixtures.js';

/*
 * CODE_BLOCK_SIZE=5 with two instances on one database, as two cluster nodes: each takes five
 * numbers at a time, so the counter row is written once a block, and no code is given twice.
 */
let admin: Actor;
const create = (core: Core) =>
  createCustomer(core, admin, { name: uniqueName('号段客户') }).then((r) => r.customer.code);
/** Another instance on the harness's database and clock, taking CODE_BLOCK_SIZE=5 numbers at a time. */
const instance = (h: Harness) =>
  openCore(loadConfig({ ...h.core.config.env, CODE_BLOCK_SIZE: '5' }), createLogger('silent'), () => h.core.now());

function setupAdmin(h: Harness): void {
  beforeAll(async () => {
    h.setNow(new Date('2026-05-10T04:00:00Z'));
    admin = await h.actor('号段管理员', ['admin']);
  });
}

eachDialect('automatic codes taken a block at a time (CODE_BLOCK_SIZE): two instances', (h) => {
  let a: Core;
  let b: Core;
  const counter = async () => (await h.core.models.CodeSequence.findAll({ raw: true })).map((r) => r.nextValue);
  setupAdmin(h);
  beforeAll(() => {
    [a, b] = [instance(h), instance(h)];
  });
  afterAll(async () => {
    await a.models.sequelize.close();
    await b.models.sequelize.close();
  });

  // One scenario: the 29 creates start from the blocks the first steps left each instance holding.
  it('hands each instance its own block (A 1–5, B 6–10, the counter moves once per block); then 29 concurrent creates get 29 different codes, and 编码统计 shows the numbers still held as gaps', async () => {
    expect(await create(a)).toBe('C20260001');
    expect(await counter()).toEqual([6]);
    expect(await create(b)).toBe('C20260006');
    expect(await counter()).toEqual([11]);
    expect([await create(a), await create(a), await create(b)]).toEqual(['C20260002', 'C20260003', 'C20260007']);
    expect(await counter()).toEqual([11]);
    // A uses up its block and takes the next free one.
    expect([await create(a), await create(a), await create(a)]).toEqual(['C20260004', 'C20260005', 'C20260011']);
    expect(await counter()).toEqual([16]);

    const codes = await Promise.all(Array.from({ length: 29 }, (_v, i) => create(i % 2 ? a : b)));
    expect(new Set(codes).size).toBe(29);
    const all = (await h.core.models.Customer.findAll({ attributes: ['code'], raw: true })).map((r) => r.code);
    expect(new Set(all).size).toBe(all.length);
    const stats = await codeStats(h.core);
    // A had 4 numbers left and takes 14 (two more blocks, none left); B had 3 and takes 15 (three blocks, 3 left).
    expect(Number((await counter())[0]) - 1 - all.length).toBe(3);
    expect(stats.gaps[0]!.missing).toBe(3);
  });
});

eachDialect('automatic codes taken a block at a time (CODE_BLOCK_SIZE): a refused create', (h) => {
  setupAdmin(h);

  it('gives the number of a refused create back: the next create on that instance takes it, no gap', async () => {
    const c = instance(h);
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

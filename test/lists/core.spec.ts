import { beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { searchCustomers } from '../../core/customers/search.js';
import { ListSnapshot } from '../../core/lists/lookup.js';
import { listEntries, saveListEntry } from '../../core/lists/manage.js';
import { startingCategoryRows } from '../../core/lists/starting.js';
import { startingCategoryRows as seededBy0016 } from '../../migrations/0016-company-lists.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { expectRefused, uniqueName } from '../core/fixtures.js';

let admin: Actor;
let sales: Actor;

/** An admin and a salesperson. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('分类管理员', ['admin']);
    sales = await h.actor('分类销售', ['sales']);
  });
}

/** The lists the tests after the seed work with: aliases for 批发商, region 华东 (华东区, EAST) and 东北 (inactive). */
async function aliasesAndRegions(h: Harness): Promise<void> {
  await saveListEntry(
    h.core,
    admin,
    'category',
    (await h.core.models.ListEntry.findOne({ where: { name: '批发商' } }))!.id,
    { aliases: '批发、Wholesale' },
  );
  await saveListEntry(h.core, admin, 'region', null, { name: '华东', aliases: ['华东区', 'EAST'] });
  const old = (await saveListEntry(h.core, admin, 'region', null, { name: '东北' })).entry;
  await saveListEntry(h.core, admin, 'region', old.id, { active: false });
}

/** A block on a database whose lists are as aliasesAndRegions leaves them. */
function withListsSet(title: string, tests: (h: Harness) => void): void {
  eachDialect(`company lists (客户分类, 区域): ${title}`, (h) => {
    setupActors(h);
    beforeAll(() => aliasesAndRegions(h));
    tests(h);
  });
}

// Each block gets its own database: the lists are company-wide, and the tests change them.
eachDialect('company lists (客户分类, 区域): migration seed', (h) => {
  setupActors(h);

  it('the migration seeds the six categories in order, and no regions', async () => {
    const categories = await listEntries(h.core, sales, 'category');
    expect(categories.map((e) => [e.code, e.name, e.aliases, e.active])).toEqual([
      ['01', '经销商', [], true],
      ['02', '批发商', [], true],
      ['03', '零售商', [], true],
      ['04', '终端客户', [], true],
      ['05', '电商', [], true],
      ['06', '其他', [], true],
    ]);
    expect(await listEntries(h.core, sales, 'region')).toEqual([]);
    // A restore of a pre-0016 backup starts from core's copy of the list: it must be what 0016 seeded.
    const now = new Date();
    expect(startingCategoryRows(now)).toEqual(seededBy0016(now));
  });
});

eachDialect('company lists (客户分类, 区域): resolver', (h) => {
  setupActors(h);

  it('resolves a name or alias whatever the width, case and spaces; refuses unknown and inactive values with the choices', async () => {
    await aliasesAndRegions(h);
    const lists = await ListSnapshot.load(h.core);
    expect(lists.resolve('category', ' 批 发 ')).toMatchObject({ ok: true, name: '批发商' });
    expect(lists.resolve('category', 'ＷＨＯＬＥＳＡＬＥ')).toMatchObject({ ok: true, name: '批发商' });
    expect(lists.resolve('region', 'east')).toMatchObject({ ok: true, name: '华东' });
    expect(lists.resolve('category', '零售')).toEqual({
      ok: false,
      reason: 'unknown',
      suggestion: '零售商',
      message:
        '客户分类「零售」不在客户分类表中 (是不是「零售商」?)。可选: 经销商、批发商、零售商、终端客户、电商、其他; 如需新增请联系管理员。',
    });
    expect(lists.resolve('region', '东北')).toMatchObject({
      ok: false,
      reason: 'inactive',
      message: '区域「东北」已停用, 不能再用于新的资料。可选: 华东',
    });
    expect(lists.resolve('region', '东北', { allowInactive: true })).toMatchObject({ ok: true, name: '东北' });
  });
});

withListsSet('create/edit/search', (h) => {
  valuesOnCustomers(h);
  search(h);
});

withListsSet('admin changes', rename);

/** Create and edit store entry names; a deactivated value is kept, never newly taken. */
function valuesOnCustomers(h: Harness): void {
  it('create and edit store the entry name for an alias; unknown values join the other field errors', async () => {
    const { customer } = await createCustomer(h.core, sales, {
      name: uniqueName('别名'),
      category: '批发',
      region: '华东区',
      ownerId: sales.operator.id!,
    });
    expect([customer.category, customer.region]).toEqual(['批发商', '华东']);
    const row = await h.core.models.Customer.findByPk(customer.id);
    expect([row!.category, row!.region]).toEqual(['批发商', '华东']);
    const edited = await editCustomer(h.core, sales, customer.code, { category: '电商', region: 'EAST' });
    expect(edited.changes).toEqual({ category: ['批发商', '电商'] });
    const err = await expectRefused(
      createCustomer(h.core, sales, { name: uniqueName('坏'), phone: '12', category: '零食', region: '东北' }),
      'VALIDATION',
    );
    expect(err.details.errors).toEqual([
      { field: 'phone', message: '手机/电话格式不对, 应为 5–20 位数字' },
      {
        field: 'category',
        message:
          '客户分类「零食」不在客户分类表中。可选: 经销商、批发商、零售商、终端客户、电商、其他; 如需新增请联系管理员。',
      },
      { field: 'region', message: '区域「东北」已停用, 不能再用于新的资料。可选: 华东' },
    ]);
  });

  it('a customer keeps a deactivated value on edit, but may not take one newly', async () => {
    const { customer } = await createCustomer(h.core, sales, {
      name: uniqueName('保留'),
      region: '华东',
      ownerId: sales.operator.id!,
    });
    const entry = (await h.core.models.ListEntry.findOne({ where: { listKey: 'region', name: '华东' } }))!;
    await saveListEntry(h.core, admin, 'region', entry.id, { active: false });
    try {
      expect(
        (await editCustomer(h.core, sales, customer.code, { region: '华东区', contact: '新联系人' })).changes,
      ).toEqual({ contact: [null, '新联系人'] });
      const other = (await createCustomer(h.core, sales, { name: uniqueName('另一个'), ownerId: sales.operator.id! }))
        .customer;
      await expectRefused(
        editCustomer(h.core, sales, other.code, { region: '华东' }),
        'VALIDATION',
        '区域「华东」已停用',
      );
    } finally {
      await saveListEntry(h.core, admin, 'region', entry.id, { active: true });
    }
  });
}

/** Search filters by list values. */
function search(h: Harness): void {
  it('search filters by a name or alias; an unknown filter value is a VALIDATION with the choices', async () => {
    const { customer } = await createCustomer(h.core, sales, {
      name: uniqueName('筛选'),
      category: '终端客户',
      region: '华东',
    });
    const page = await searchCustomers(h.core, sales, { category: '终端客户', region: 'east', pageSize: 200 });
    expect(page.items.map((c) => c.code)).toContain(customer.code);
    expect(page.items.every((c) => c.category === '终端客户' && c.region === '华东')).toBe(true);
    await expectRefused(
      searchCustomers(h.core, sales, { category: '土豪' }),
      'VALIDATION',
      '客户分类「土豪」不在客户分类表中',
    );
  });
}

/** Renaming moves customers along; only admins change lists. */
function rename(h: Harness): void {
  it('renaming an entry moves its customers in the same transaction and keeps the old name as an alias; only admins change lists', async () => {
    const a = (await createCustomer(h.core, sales, { name: uniqueName('改名甲'), category: '其他' })).customer;
    const b = (await createCustomer(h.core, sales, { name: uniqueName('改名乙'), category: '其他' })).customer;
    const entry = (await h.core.models.ListEntry.findOne({ where: { listKey: 'category', name: '其他' } }))!;
    await expectRefused(
      saveListEntry(h.core, sales, 'category', entry.id, { name: '其它' }),
      'NOT_PERMITTED',
      '没有「管理客户分类和区域」权限',
    );
    const before = await h.core.models.Customer.count({ where: { category: '其他' } });
    const { entry: renamed, movedCustomers } = await saveListEntry(h.core, admin, 'category', entry.id, {
      name: '其它客户',
    });
    expect(movedCustomers).toBe(before);
    expect(renamed).toMatchObject({ name: '其它客户', aliases: ['其他'] });
    for (const c of [a, b]) {
      const row = (await h.core.models.Customer.findOne({ where: { code: c.code } }))!;
      expect([row.category, row.version]).toEqual(['其它客户', c.version + 1]);
    }
    expect(
      (await createCustomer(h.core, sales, { name: uniqueName('旧名'), category: '其他' })).customer.category,
    ).toBe('其它客户');
    const audit = await h.core.models.AuditEvent.findOne({ where: { action: 'list.edit' }, order: [['id', 'DESC']] });
    expect(JSON.parse(audit!.diff)).toMatchObject({ info: { list: 'category', movedCustomers: before } });
    // A name or alias may mean only one entry.
    await expectRefused(
      saveListEntry(h.core, admin, 'category', null, { name: '批发' }),
      'VALIDATION',
      '「批发」已是客户分类「批发商」的别名',
    );
    await expectRefused(
      saveListEntry(h.core, admin, 'region', null, { name: '华中', aliases: 'EAST' }),
      'VALIDATION',
      '别名「EAST」已属于区域「华东」',
    );
  });
}

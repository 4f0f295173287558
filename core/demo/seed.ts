import type { Core, Actor } from '../context.js';
import type { Operator, Product } from '../../models/index.js';
import { createCustomer } from '../customers/create.js';
import { deactivate } from '../customers/status.js';
import { DEACTIVATION_REASONS } from '../customers/schema.js';
import { ListSnapshot } from '../lists/lookup.js';
import { saveListEntry } from '../lists/manage.js';
import { approve } from '../deletion/approvals.js';
import { requestDeletion } from '../deletion/request.js';
import { companyFactory } from './names.js';
import type { CustomerView } from '../customers/view.js';
import { DAY, isoDate, seedOrderHistory, type DemoCustomer } from './history.js';

export const DEMO_OPERATORS = [
  { id: 'demo-admin', name: '张管理', roles: 'admin' },
  { id: 'demo-approver', name: '李审批', roles: 'approver' },
  { id: 'demo-sales', name: '王销售', roles: 'sales' },
  { id: 'demo-sales2', name: '赵销售', roles: 'sales' },
  { id: 'demo-finance', name: '钱财务', roles: 'finance' },
] as const;

/** Demo operators get this chat account id on each of these channels. */
export const DEMO_CHANNELS = ['wecom', 'dingtalk', 'feishu'] as const;

const PRODUCTS = [
  ['P-1001', '不锈钢螺丝 M6', '盒', '35.00'],
  ['P-1002', '工业胶带 48mm', '卷', '12.50'],
  ['P-1003', 'A4 复印纸', '箱', '129.00'],
  ['P-1004', '安全手套', '双', '8.80'],
  ['P-1005', '纸箱 50×40×30', '个', '6.20'],
  ['P-1006', 'LED 灯管 1.2m', '根', '45.00'],
  ['P-1007', '电源线 3×1.5', '米', '9.90'],
  ['P-1008', '食品级包装袋', '千个', '260.00'],
] as const;

/** Demo 区域 with a few aliases (the migration seeds only the six 客户分类; regions are company data). */
const DEMO_REGIONS: [string, string[]][] = [
  ['华东', ['华东区', '江浙沪']],
  ['华南', ['华南区']],
  ['华北', ['华北区']],
  ['西南', []],
];
/** Demo aliases on the migration's categories, so 批发 or 零售 work in chat right away. */
const DEMO_CATEGORY_ALIASES: Record<string, string[]> = {
  批发商: ['批发'],
  零售商: ['零售', '零售店'],
  经销商: ['代理商'],
};

/** The demo's 区域 and category aliases, through the same core function the back office uses. */
async function seedLists(core: Core, admin: Actor): Promise<{ categories: string[]; regions: string[] }> {
  const lists = await ListSnapshot.load(core);
  for (const e of lists.entries('category')) {
    const aliases = DEMO_CATEGORY_ALIASES[e.name];
    if (aliases && !e.aliases.length) await saveListEntry(core, admin, 'category', e.id, { aliases });
  }
  for (const [name, aliases] of DEMO_REGIONS)
    if (!lists.find('region', name)) await saveListEntry(core, admin, 'region', null, { name, aliases });
  const fresh = await ListSnapshot.load(core);
  return {
    categories: fresh.entries('category').map((e) => e.name),
    regions: fresh.entries('region').map((e) => e.name),
  };
}

/** Whether the demo data is already there (or the database holds real customers). */
export async function demoSeeded(core: Core): Promise<boolean> {
  const marker = await core.models.StewardMeta.findByPk('demo_seeded_at');
  return Boolean(marker) || (await core.models.Customer.count()) > 0;
}

async function ensureOperators(core: Core): Promise<Record<string, Operator>> {
  const out: Record<string, Operator> = {};
  for (const o of DEMO_OPERATORS) {
    const email = `${o.id}@demo.local`;
    const [row] = await core.models.Operator.findOrCreate({
      where: { email },
      defaults: { displayName: o.name, roles: o.roles, email, passwordHash: null, active: true },
    });
    out[o.id] = row;
  }
  // The same id on every shipped messenger, so the demo answers whichever one is configured. One
  // statement: a write per link would be 15 transactions, each an fsync on SQLite.
  const links = DEMO_OPERATORS.flatMap((o) =>
    DEMO_CHANNELS.map((channel) => ({ operatorId: out[o.id]!.id, channel, externalId: o.id })),
  );
  await core.models.OperatorIdentity.bulkCreate(links, { ignoreDuplicates: true });
  return out;
}

/** The demo's products, read back by SKU in PRODUCTS order. */
async function seedProducts(core: Core): Promise<Product[]> {
  const { Product } = core.models;
  await Product.bulkCreate(PRODUCTS.map(([sku, name, unit, price]) => ({ sku, name, unit, price })));
  // Read the ids back: bulkCreate guesses them as insertId + i, which is wrong when
  // auto_increment_increment ≠ 1 (Galera sets it to the node count).
  const bySku = new Map(
    (await Product.findAll({ where: { sku: PRODUCTS.map(([sku]) => sku) } })).map((p) => [p.sku, p]),
  );
  return PRODUCTS.map(([sku]) => bySku.get(sku)!);
}

/** 60 generated companies through createCustomer, shared between the two salespeople, each with its random stream. */
async function createDemoCustomers(
  core: Core,
  admin: Actor,
  owners: Operator[],
): Promise<(CustomerView & DemoCustomer)[]> {
  const next = companyFactory(20261125);
  const created: (CustomerView & DemoCustomer)[] = [];
  const { categories, regions } = await seedLists(core, admin);
  for (let i = 0; i < 60; i++) {
    const c = next();
    const owner = owners[i % 2]!;
    const { customer } = await createCustomer(
      core,
      admin,
      {
        name: c.name,
        contact: c.contact,
        phone: c.phone,
        address: c.address,
        category: categories[i % Math.max(categories.length - 1, 1)] ?? null,
        region: regions.length ? regions[i % regions.length]! : null,
        ownerId: owner.id,
        note: i % 10 === 0 ? '老客户, 年底对账' : null,
      },
      { allowDuplicates: true },
    );
    created.push({ ...customer, r: c.r });
  }
  return created;
}

/** Customers 50–55 deactivated, 56–59 deleted through the real request and approval. */
async function seedLifecycle(
  core: Core,
  as: (id: string) => Actor,
  created: CustomerView[],
  now: number,
): Promise<void> {
  for (let i = 50; i < 56; i++) {
    const reason = DEACTIVATION_REASONS[(i - 50) % DEACTIVATION_REASONS.length]!;
    await deactivate(core, as('demo-admin'), created[i]!.code, {
      reason,
      memo: reason === '其他' ? '客户搬迁, 暂停合作' : null,
      until: i === 51 ? isoDate(new Date(now + 30 * DAY)) : null,
    });
  }
  for (let i = 56; i < 60; i++) {
    // Each by the customer's own salesperson: sales may request deletion only of their own customers.
    const request = await requestDeletion(
      core,
      as(i % 2 ? 'demo-sales2' : 'demo-sales'),
      created[i]!.code,
      '客户已注销, 重复档案',
    );
    await approve(core, as('demo-approver'), request.id);
  }
}

/**
 * Loads about 60 demo customers with two years of orders, open business on some, long
 * silences on others, a few deactivated and a few deleted through the real approval flow.
 * Does nothing when the database already has customers.
 */
export async function seedDemo(core: Core): Promise<{ seeded: boolean; customers: number; orders: number }> {
  if (await demoSeeded(core)) return { seeded: false, customers: 0, orders: 0 };
  const ops = await ensureOperators(core);
  const as = (id: string): Actor => ({ operator: ops[id]!, door: 'cli' });
  const products = await seedProducts(core);
  const now = core.now().getTime();
  const created = await createDemoCustomers(core, as('demo-admin'), [ops['demo-sales']!, ops['demo-sales2']!]);
  const orderCount = await seedOrderHistory(core, created, products, now);
  await seedLifecycle(core, as, created, now);
  await core.models.StewardMeta.upsert({ key: 'demo_seeded_at', value: new Date(now).toISOString() });
  return { seeded: true, customers: created.length, orders: orderCount };
}

// Fixtures for the jshERP side: two tenants, deleted rows, orders in each status, shipments,
// returns and receipts, and a customer with no documents. Amounts are chosen so the expected
// receivables can be checked by hand (see the comments).
import mysql from 'mysql2/promise';

export const TENANT = 63;
export const OTHER_TENANT = 64;

type Row = Record<string, string | number | null>;

async function insert(c: mysql.Connection, table: string, row: Row): Promise<number> {
  const keys = Object.keys(row);
  const [r] = await c.query(
    `INSERT INTO ${table} (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`,
    keys.map((k) => row[k]),
  );
  return (r as mysql.ResultSetHeader).insertId;
}

export const customer = (c: mysql.Connection, tenant: number, name: string, extra: Row = {}) =>
  insert(c, 'jsh_supplier', {
    supplier: name,
    type: '客户',
    enabled: 1,
    begin_need_get: 0,
    tenant_id: tenant,
    delete_flag: '0',
    ...extra,
  });

export const depot = (
  c: mysql.Connection,
  tenant: number,
  organ: number,
  subType: '销售订单' | '销售' | '销售退货',
  extra: Row,
) =>
  insert(c, 'jsh_depot_head', {
    type: subType === '销售订单' ? '其它' : subType === '销售' ? '出库' : '入库',
    sub_type: subType,
    organ_id: organ,
    tenant_id: tenant,
    delete_flag: '0',
    status: '1',
    other_money: 0,
    deposit: 0,
    change_amount: 0,
    ...extra,
  });

export async function receipt(
  c: mysql.Connection,
  tenant: number,
  organ: number,
  items: number[],
  extra: Row = {},
  itemDeleted: number[] = [],
): Promise<number> {
  const head = await insert(c, 'jsh_account_head', {
    type: '收款',
    organ_id: organ,
    tenant_id: tenant,
    delete_flag: '0',
    status: '1',
    bill_no: `SK${organ}-${Date.now() % 100000}`,
    bill_time: '2026-11-25 10:00:00',
    ...extra,
  });
  for (const each of items)
    await insert(c, 'jsh_account_item', { header_id: head, each_amount: each, tenant_id: tenant, delete_flag: '0' });
  for (const each of itemDeleted)
    await insert(c, 'jsh_account_item', { header_id: head, each_amount: each, tenant_id: tenant, delete_flag: '1' });
  return head;
}

/** jsh ids of the fixture customers. */
export interface JshIds {
  huadong: number;
  nanfang: number;
  beifang: number;
  xibu: number;
  kongbai: number;
  wanjie: number;
  other: number;
}

/** Opens a connection to the jshERP test database. */
export function connect(url: string): Promise<mysql.Connection> {
  const u = new URL(url);
  return mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    socketPath: u.searchParams.get('socketPath') ?? undefined,
    dateStrings: true,
  });
}

/** Loads every fixture into the jshERP database; returns the jsh ids of the customers. */
export async function loadFixtures(c: mysql.Connection): Promise<JshIds> {
  const huadong = await loadHuadong(c);
  const rest = await loadOtherCustomers(c);
  const other = await loadOtherTenant(c);
  return { huadong, ...rest, other };
}

async function loadHuadong(c: mysql.Connection): Promise<number> {
  // 华东贸易: receivable = 100 (期初) + (1000 + 50 − 0 − |300|) − (100 − |−20|) − (200 + 70) = 100 + 750 − 80 − 270 = 500.00
  const huadong = await customer(c, TENANT, '华东贸易有限公司', { telephone: '13800000001', begin_need_get: 100 });
  await huadongOrders(c, huadong);
  await depot(c, TENANT, huadong, '销售', {
    number: 'XSCK001',
    discount_last_money: 1000,
    other_money: 50,
    change_amount: 300,
    total_price: 1000,
    link_number: 'XSDD003',
    oper_time: '2026-11-20 15:30:00',
  });
  await depot(c, TENANT, huadong, '销售', {
    number: 'XSCK002',
    discount_last_money: 999,
    total_price: 999,
    oper_time: '2026-11-29 10:00:00',
    delete_flag: '1',
  });
  await depot(c, TENANT, huadong, '销售退货', {
    number: 'XSTH001',
    discount_last_money: 100,
    change_amount: -20,
    total_price: 100,
    oper_time: '2026-11-21 10:00:00',
  });
  await receipt(c, TENANT, huadong, [200, 70], {}, [55]);
  await receipt(c, TENANT, huadong, [1000], { delete_flag: '1' });
  return huadong;
}

/** 华东贸易's sales orders: one in each status, and a deleted one. */
async function huadongOrders(c: mysql.Connection, huadong: number): Promise<void> {
  await depot(c, TENANT, huadong, '销售订单', {
    number: 'XSDD001',
    status: '0',
    total_price: 500,
    discount_last_money: 500,
    oper_time: '2026-11-01 09:00:00',
  });
  await depot(c, TENANT, huadong, '销售订单', {
    number: 'XSDD002',
    status: '1',
    total_price: 320,
    discount_last_money: 300,
    oper_time: '2026-11-05 09:00:00',
  });
  await depot(c, TENANT, huadong, '销售订单', {
    number: 'XSDD003',
    status: '2',
    total_price: 200,
    discount_last_money: 200,
    oper_time: '2026-10-01 09:00:00',
  });
  await depot(c, TENANT, huadong, '销售订单', {
    number: 'XSDD004',
    status: '3',
    total_price: 150,
    discount_last_money: 150,
    oper_time: '2026-11-10 09:00:00',
  });
  await depot(c, TENANT, huadong, '销售订单', {
    number: 'XSDD005',
    status: '0',
    total_price: 999,
    discount_last_money: 999,
    oper_time: '2026-11-30 09:00:00',
    delete_flag: '1',
  });
}

async function loadOtherCustomers(c: mysql.Connection): Promise<Omit<JshIds, 'huadong' | 'other'>> {
  // 南方物流 (深圳): matched to ours by phone; receivable 400 − |100| = 300.00
  const nanfang = await customer(c, TENANT, '南方物流(深圳)', { telephone: '139-0000-0002', contacts: '李四' });
  await depot(c, TENANT, nanfang, '销售', {
    number: 'XSCK101',
    discount_last_money: 400,
    change_amount: 100,
    total_price: 400,
    oper_time: '2026-09-01 10:00:00',
  });
  // 北方建材: two of ours have this name → ambiguous. 西部新客户: none of ours → unmatched.
  const beifang = await customer(c, TENANT, '北方建材');
  const xibu = await customer(c, TENANT, '西部新客户', {
    telephone: '13700000004',
    contacts: '王五',
    address: '成都市',
  });
  // A customer with no documents at all.
  const kongbai = await customer(c, TENANT, '空白客户');
  // Only finished business: nothing open for us, but jshERP's own delete rule still refuses.
  const wanjie = await customer(c, TENANT, '完结客户');
  await depot(c, TENANT, wanjie, '销售订单', {
    number: 'XSDD201',
    status: '2',
    total_price: 80,
    discount_last_money: 80,
    oper_time: '2026-08-01 10:00:00',
  });
  await depot(c, TENANT, wanjie, '销售', {
    number: 'XSCK201',
    discount_last_money: 80,
    change_amount: 80,
    total_price: 80,
    link_number: 'XSDD201',
    oper_time: '2026-08-02 10:00:00',
  });
  // Deleted customer and a supplier: never read.
  await customer(c, TENANT, '已删除客户', { delete_flag: '1' });
  await insert(c, 'jsh_supplier', {
    supplier: '某供应商',
    type: '供应商',
    enabled: 1,
    tenant_id: TENANT,
    delete_flag: '0',
  });
  return { nanfang, beifang, xibu, kongbai, wanjie };
}

async function loadOtherTenant(c: mysql.Connection): Promise<number> {
  // The other tenant: same name as ours, an open order and a shipment; must stay untouched and unseen.
  const other = await customer(c, OTHER_TENANT, '华东贸易有限公司', { telephone: '13800000001' });
  await depot(c, OTHER_TENANT, other, '销售订单', {
    number: 'XSDD900',
    status: '0',
    total_price: 999,
    discount_last_money: 999,
    oper_time: '2026-11-30 10:00:00',
  });
  await depot(c, OTHER_TENANT, other, '销售', {
    number: 'XSCK900',
    discount_last_money: 777,
    total_price: 777,
    oper_time: '2026-11-30 11:00:00',
  });
  return other;
}

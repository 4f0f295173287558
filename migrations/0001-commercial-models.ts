import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from './types.js';

const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const stamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};
const money = { type: DataTypes.DECIMAL(14, 2), allowNull: false };

/** Operators and the three ways to recognise one (WeCom, DingTalk, e-mail). */
async function createOperators(qi: QueryInterface): Promise<void> {
  await qi.createTable('operators', {
    id,
    display_name: { type: DataTypes.STRING(100), allowNull: false },
    roles: { type: DataTypes.STRING(100), allowNull: false },
    wecom_user_id: { type: DataTypes.STRING(64), allowNull: true },
    dingtalk_user_id: { type: DataTypes.STRING(64), allowNull: true },
    email: { type: DataTypes.STRING(200), allowNull: true },
    password_hash: { type: DataTypes.STRING(200), allowNull: true },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...stamps,
  });
  await qi.addIndex('operators', ['wecom_user_id'], { unique: true, name: 'operators_wecom_unique' });
  await qi.addIndex('operators', ['dingtalk_user_id'], { unique: true, name: 'operators_dingtalk_unique' });
  await qi.addIndex('operators', ['email'], { unique: true, name: 'operators_email_unique' });
}

/** The customer master record and the indexes its lists and searches use. */
async function createCustomers(qi: QueryInterface): Promise<void> {
  await qi.createTable('customers', {
    id,
    code: { type: DataTypes.STRING(32), allowNull: false },
    name: { type: DataTypes.STRING(200), allowNull: false },
    name_norm: { type: DataTypes.STRING(200), allowNull: false },
    contact: { type: DataTypes.STRING(100), allowNull: true },
    phone_enc: { type: DataTypes.TEXT, allowNull: true },
    phone_hash: { type: DataTypes.STRING(64), allowNull: true },
    address_enc: { type: DataTypes.TEXT, allowNull: true },
    category: { type: DataTypes.STRING(50), allowNull: true },
    owner_id: { type: DataTypes.INTEGER, allowNull: true },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
    deactivation_reason: { type: DataTypes.STRING(20), allowNull: true },
    deactivation_memo: { type: DataTypes.STRING(500), allowNull: true },
    deactivated_at: { type: DataTypes.DATE, allowNull: true },
    reactivate_on: { type: DataTypes.DATEONLY, allowNull: true },
    note: { type: DataTypes.STRING(1000), allowNull: true },
    last_order_at: { type: DataTypes.DATE, allowNull: true },
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    ...stamps,
  });
  await qi.addIndex('customers', ['code'], { unique: true, name: 'customers_code_unique' });
  await qi.addIndex('customers', ['status', 'id'], { name: 'customers_status_id' });
  await qi.addIndex('customers', ['name_norm'], { name: 'customers_name_norm' });
  await qi.addIndex('customers', ['phone_hash'], { name: 'customers_phone_hash' });
  await qi.addIndex('customers', ['contact'], { name: 'customers_contact' });
  await qi.addIndex('customers', ['owner_id', 'status'], { name: 'customers_owner_status' });
  await qi.addIndex('customers', ['status', 'last_order_at'], { name: 'customers_status_last_order' });
  await qi.addIndex('customers', ['status', 'created_at'], { name: 'customers_status_created' });
  await qi.addIndex('customers', ['category'], { name: 'customers_category' });
}

/** Products, unique by SKU. */
async function createProducts(qi: QueryInterface): Promise<void> {
  await qi.createTable('products', {
    id,
    sku: { type: DataTypes.STRING(32), allowNull: false },
    name: { type: DataTypes.STRING(200), allowNull: false },
    unit: { type: DataTypes.STRING(16), allowNull: false, defaultValue: '件' },
    price: money,
    ...stamps,
  });
  await qi.addIndex('products', ['sku'], { unique: true, name: 'products_sku_unique' });
}

/** Sales orders, indexed for a customer's history and for date ranges. */
async function createSalesOrders(qi: QueryInterface): Promise<void> {
  await qi.createTable('sales_orders', {
    id,
    number: { type: DataTypes.STRING(32), allowNull: false },
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'draft' },
    order_date: { type: DataTypes.DATEONLY, allowNull: false },
    total: money,
    ...stamps,
  });
  await qi.addIndex('sales_orders', ['number'], { unique: true, name: 'sales_orders_number_unique' });
  await qi.addIndex('sales_orders', ['customer_id', 'status'], { name: 'sales_orders_customer_status' });
  await qi.addIndex('sales_orders', ['customer_id', 'order_date'], { name: 'sales_orders_customer_date' });
  await qi.addIndex('sales_orders', ['order_date'], { name: 'sales_orders_date' });
}

/** Receivables, indexed by customer and by due date. */
async function createReceivables(qi: QueryInterface): Promise<void> {
  await qi.createTable('receivables', {
    id,
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    order_id: { type: DataTypes.INTEGER, allowNull: true },
    amount: money,
    paid: { ...money, defaultValue: '0.00' },
    due_date: { type: DataTypes.DATEONLY, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
    ...stamps,
  });
  await qi.addIndex('receivables', ['customer_id', 'status'], { name: 'receivables_customer_status' });
  await qi.addIndex('receivables', ['status', 'due_date'], { name: 'receivables_status_due' });
}

/** Stock reservations, indexed by customer and by product. */
async function createReservations(qi: QueryInterface): Promise<void> {
  await qi.createTable('reservations', {
    id,
    product_id: { type: DataTypes.INTEGER, allowNull: false },
    customer_id: { type: DataTypes.INTEGER, allowNull: false },
    order_id: { type: DataTypes.INTEGER, allowNull: true },
    quantity: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
    ...stamps,
  });
  await qi.addIndex('reservations', ['customer_id', 'status'], { name: 'reservations_customer_status' });
  await qi.addIndex('reservations', ['product_id', 'status'], { name: 'reservations_product_status' });
}

/** Key-value settings of the steward itself. */
async function createStewardMeta(qi: QueryInterface): Promise<void> {
  await qi.createTable('steward_meta', {
    key: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    value: { type: DataTypes.TEXT, allowNull: false },
  });
}

/** Customers, operators, orders, receivables, products and reservations, with their indexes. */
export const commercialModels: Migration = {
  name: '0001-commercial-models',
  async up({ context: qi }) {
    await createOperators(qi);
    await createCustomers(qi);
    await createProducts(qi);
    await createSalesOrders(qi);
    await createReceivables(qi);
    await createReservations(qi);
    await createStewardMeta(qi);
  },
  async down({ context: qi }) {
    for (const t of [
      'steward_meta',
      'reservations',
      'receivables',
      'sales_orders',
      'products',
      'customers',
      'operators',
    ])
      await qi.dropTable(t);
  },
};

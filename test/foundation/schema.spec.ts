import { expect, it } from '@jest/globals';
import { eachDialect } from '../helpers/db.js';
import { pendingMigrations, migrateUp } from '../../migrations/migrate.js';

eachDialect('migrations', (h) => {
  it('bring an empty database up to date, and a second run applies nothing', async () => {
    expect(await pendingMigrations(h.core.models.sequelize)).toEqual([]);
    expect(await migrateUp(h.core.models.sequelize)).toEqual([]);
  });

  it('create every table', async () => {
    const tables = (await h.core.models.sequelize.getQueryInterface().showAllTables()).map((t) =>
      typeof t === 'string' ? t : (t as { tableName: string }).tableName,
    );
    for (const t of [
      'customers',
      'sales_orders',
      'receivables',
      'products',
      'reservations',
      'operators',
      'code_sequences',
      'audit_events',
      'audit_head',
      'approval_requests',
      'recycle_entries',
    ]) {
      expect(tables).toContain(t);
    }
  });

  it('index orders by (customer_id, status) and (customer_id, order_date)', async () => {
    const indexes = (await h.core.models.sequelize.getQueryInterface().showIndex('sales_orders')) as {
      name: string;
      fields: { attribute: string }[];
    }[];
    const cols = (name: string) => indexes.find((i) => i.name === name)?.fields.map((f) => f.attribute);
    expect(cols('sales_orders_customer_status')).toEqual(['customer_id', 'status']);
    expect(cols('sales_orders_customer_date')).toEqual(['customer_id', 'order_date']);
  });
});

import type { Migration } from './types.js';

/**
 * Indexes the back office's customer list sorts on when no status filter is given (最近下单,
 * 创建时间): with 100k customers a sort without them reads and sorts every row for one page.
 */
export const adminListIndexes: Migration = {
  name: '0007-admin-list-indexes',
  async up({ context: qi }) {
    await qi.addIndex('customers', ['last_order_at'], { name: 'customers_last_order' });
    await qi.addIndex('customers', ['created_at'], { name: 'customers_created' });
  },
  async down({ context: qi }) {
    await qi.removeIndex('customers', 'customers_created');
    await qi.removeIndex('customers', 'customers_last_order');
  },
};

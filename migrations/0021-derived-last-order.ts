import type { Migration } from './types.js';

/**
 * 最近下单 is read from the orders (core/customers/last-order.ts, on their (customer_id, order_date)
 * index). customers.last_order_at now changes only by a jshERP sync or a merge, and no reader ranges
 * over it any more (the inactive review reads every active customer's newest order), so its index goes.
 */
export const derivedLastOrder: Migration = {
  name: '0021-derived-last-order',
  async up({ context: qi }) {
    await qi.removeIndex('customers', 'customers_last_order_status');
  },
  async down({ context: qi }) {
    await qi.addIndex('customers', ['last_order_at', 'status'], { name: 'customers_last_order_status' });
  },
};

import type { Migration } from './types.js';

/**
 * The API lists customers in the order they last changed (updatedAt, then id) so other systems
 * can sync incrementally with keyset pages; without this index every page sorts the whole table.
 */
export const apiSyncIndex: Migration = {
  name: '0013-api',
  async up({ context: qi }) {
    await qi.addIndex('customers', ['updated_at', 'id'], { name: 'customers_updated_id' });
  },
  async down({ context: qi }) {
    await qi.removeIndex('customers', 'customers_updated_id');
  },
};

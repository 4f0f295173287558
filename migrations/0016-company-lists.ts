import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/** The six 客户分类 the code base had fixed until now: every company starts with them. */
export const STARTING_CATEGORIES = ['经销商', '批发商', '零售商', '终端客户', '电商', '其他'];

/** The rows 0016 seeds (also what a restore of a backup from before 0016 starts the list with). */
export function startingCategoryRows(now: Date) {
  return STARTING_CATEGORIES.map((name, i) => ({
    list_key: 'category',
    code: String(i + 1).padStart(2, '0'),
    name,
    aliases: '[]',
    active: true,
    sort: (i + 1) * 10,
    created_at: now,
    updated_at: now,
  }));
}

/**
 * Company-defined lists (客户分类, 区域) replace the fixed category enum; customers gain 区域.
 * Customers keep storing the entry's name (reports and exports read it as it is).
 */
export const companyLists: Migration = {
  name: '0016-company-lists',
  async up({ context: qi }) {
    await qi.createTable('list_entries', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      list_key: { type: DataTypes.STRING(20), allowNull: false },
      code: { type: DataTypes.STRING(32), allowNull: false },
      name: { type: DataTypes.STRING(50), allowNull: false },
      aliases: { type: DataTypes.STRING(1000), allowNull: false, defaultValue: '[]' },
      active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      sort: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('list_entries', ['list_key', 'name'], { unique: true, name: 'list_entries_name' });
    await qi.addIndex('list_entries', ['list_key', 'code'], { unique: true, name: 'list_entries_code' });
    await qi.bulkInsert('list_entries', startingCategoryRows(new Date()));
    await qi.addColumn('customers', 'region', { type: DataTypes.STRING(50), allowNull: true });
    await qi.addIndex('customers', ['region'], { name: 'customers_region' });
  },
  async down({ context: qi }) {
    await qi.removeIndex('customers', 'customers_region');
    await qi.removeColumn('customers', 'region');
    await qi.dropTable('list_entries');
  },
};

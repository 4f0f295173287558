/**
 * The six 客户分类 every company starts with. Migration 0016 seeds the same list (a migration keeps
 * its own copy, frozen with the schema history; test/lists/core.spec.ts checks they agree).
 */
export const STARTING_CATEGORIES: readonly string[] = ['经销商', '批发商', '零售商', '终端客户', '电商', '其他'];

/** The rows 0016 seeded: what a restore of a backup from before 0016 starts the list with. */
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

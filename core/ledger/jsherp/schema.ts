import { DomainError } from '../../errors.js';
import { jshQuery, type JshDb } from './connection.js';

/** The columns the connector reads (and, for jsh_supplier.enabled/delete_flag and jsh_log, writes). */
export const REQUIRED_COLUMNS: Record<string, string[]> = {
  jsh_supplier: [
    'id',
    'supplier',
    'type',
    'contacts',
    'telephone',
    'phone_num',
    'address',
    'description',
    'enabled',
    'begin_need_get',
    'tenant_id',
    'delete_flag',
  ],
  jsh_depot_head: [
    'id',
    'type',
    'sub_type',
    'number',
    'organ_id',
    'oper_time',
    'total_price',
    'discount_last_money',
    'other_money',
    'deposit',
    'change_amount',
    'status',
    'tenant_id',
    'delete_flag',
  ],
  jsh_account_head: ['id', 'type', 'organ_id', 'tenant_id', 'delete_flag'],
  jsh_account_item: ['id', 'header_id', 'each_amount', 'delete_flag'],
};
/** Needed only to write back: their own operation log. */
export const LOG_COLUMNS = ['id', 'user_id', 'operation', 'client_ip', 'create_time', 'status', 'content', 'tenant_id'];

/**
 * Checks that the database looks like jshERP's: every table and column we touch exists.
 * Throws UNAVAILABLE (kind 'schema') naming what is missing, so the admins know what to fix.
 */
export async function checkSchema(db: JshDb, opts: { writeBack: boolean }): Promise<void> {
  const wanted: Record<string, string[]> = { ...REQUIRED_COLUMNS, ...(opts.writeBack ? { jsh_log: LOG_COLUMNS } : {}) };
  const rows = await jshQuery<{ t: string; c: string }>(
    db,
    'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?)',
    [Object.keys(wanted)],
  );
  const have = new Set(rows.map((r) => `${String(r.t).toLowerCase()}.${String(r.c).toLowerCase()}`));
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(wanted)) {
    if (!columns.some((c) => have.has(`${table}.${c}`))) missing.push(`表 ${table}`);
    else for (const c of columns) if (!have.has(`${table}.${c}`)) missing.push(`${table}.${c}`);
  }
  if (missing.length) {
    throw new DomainError(
      'UNAVAILABLE',
      `jshERP 数据库结构不符 (${db.where}): 缺少 ${missing.slice(0, 8).join('、')}${missing.length > 8 ? ` 等 ${missing.length} 项` : ''}。请确认 JSHERP_DATABASE_URL 指向 jshERP 3.x 的库 (jsh_erp)。`,
      { kind: 'schema', missing },
    );
  }
}

/** Checks that the tenant has data: a wrong JSHERP_TENANT_ID would otherwise look like an empty company. */
export async function checkTenant(db: JshDb): Promise<void> {
  const [row] = await jshQuery<{ n: number }>(
    db,
    'SELECT EXISTS(SELECT 1 FROM jsh_supplier WHERE tenant_id = ?) + EXISTS(SELECT 1 FROM jsh_depot_head WHERE tenant_id = ?) AS n',
    [db.tenantId, db.tenantId],
  );
  if (Number(row?.n ?? 0) > 0) return;
  const tenants = await jshQuery<{ tenant_id: number }>(
    db,
    'SELECT DISTINCT tenant_id FROM jsh_supplier WHERE tenant_id IS NOT NULL ORDER BY tenant_id LIMIT 10',
  );
  const known = tenants.map((r) => r.tenant_id).join(', ');
  throw new DomainError(
    'UNAVAILABLE',
    `jshERP 里没有租户 ${db.tenantId} 的客户或单据: 请检查 JSHERP_TENANT_ID${known ? ` (库中已有的租户: ${known})` : ''}。`,
    { kind: 'tenant', tenantId: db.tenantId },
  );
}

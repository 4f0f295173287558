import type { Config } from '../../config.js';
import { formatYuan, type Cents } from '../../money.js';
import { readReceivables } from './balances.js';
import { jshQuery, jshSettings, openJshDb, type JshDb } from './connection.js';
import { checkSchema, checkTenant } from './schema.js';

/** What `steward connect jsherp --check` found. */
export interface CheckReport {
  where: string;
  tenantId: number;
  customers: number;
  openOrders: number;
  receivableCents: Cents;
  writeBack: boolean;
}

/** Tests the connection, the schema and the tenant, and counts what a sync would bring in. */
export async function checkJsherp(db: JshDb, writeBack: boolean): Promise<CheckReport> {
  await checkSchema(db, { writeBack });
  await checkTenant(db);
  const [c] = await jshQuery<{ n: number }>(
    db,
    "SELECT COUNT(*) AS n FROM jsh_supplier WHERE tenant_id = ? AND type = '客户' AND IFNULL(delete_flag,'0') != '1'",
    [db.tenantId],
  );
  const [o] = await jshQuery<{ n: number }>(
    db,
    "SELECT COUNT(*) AS n FROM jsh_depot_head WHERE tenant_id = ? AND sub_type = '销售订单' AND IFNULL(delete_flag,'0') != '1' AND IFNULL(status,'0') != '2'",
    [db.tenantId],
  );
  let receivable = 0;
  for (const cents of (await readReceivables(db, null)).values()) if (cents > 0) receivable += cents;
  return {
    where: db.where,
    tenantId: db.tenantId,
    customers: Number(c?.n ?? 0),
    openOrders: Number(o?.n ?? 0),
    receivableCents: receivable,
    writeBack,
  };
}

/** The --check report as people read it. */
export function checkText(r: CheckReport): string {
  return [
    `jshERP 连接正常: ${r.where}, 租户 ${r.tenantId}`,
    `客户 ${r.customers}`,
    `未完成销售订单 ${r.openOrders}`,
    `应收合计 ${formatYuan(r.receivableCents)}`,
    `回写 (停用/启用/删除/恢复): ${r.writeBack ? '开启 (JSHERP_WRITE_BACK=true)' : '关闭'}`,
  ].join('\n');
}

/** Opens the configured jshERP database; the caller closes it. */
export function openConfigured(config: Config): JshDb {
  const { url, tenantId } = jshSettings(config);
  return openJshDb(url, tenantId);
}

import type { PoolConnection } from 'mysql2/promise';
import { Op } from 'sequelize';
import type { JsherpLink, JsherpWrite } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { jshError, type JshDb } from './connection.js';
import { isInactive } from '../../customers/lifecycle.js';

/** What one applied write did, in Chinese for the audit trail and the approver. */
export interface WriteOutcome {
  text: string;
  wroteDeleteFlag: boolean | null;
  blocked: boolean;
  columns: Record<string, string | number>;
}

/** A write that waits for the next attempt: 5 s, 10 s, … up to 10 minutes apart; never dropped. */
export const retryDelayMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 600_000);

/** Their own operation-log line: module 商家, status 0 (成功), the tenant's id as user (the tenant's admin). */
async function logLine(c: PoolConnection, tenantId: number, content: string): Promise<void> {
  await c.query(
    "INSERT INTO jsh_log (user_id, operation, client_ip, create_time, status, content, tenant_id) VALUES (?, '商家', 'customer-steward', NOW(), 0, ?, ?)",
    [tenantId, content.slice(0, 5000), tenantId],
  );
}

/** jshERP's own delete rule (batchDeleteSupplierByIds): any live document or receipt naming the customer blocks it. */
async function liveReferences(c: PoolConnection, tenantId: number, jshId: number): Promise<number> {
  const [rows] = await c.query(
    "SELECT (SELECT COUNT(*) FROM jsh_depot_head WHERE organ_id = ? AND tenant_id = ? AND IFNULL(delete_flag,'0') != '1') + (SELECT COUNT(*) FROM jsh_account_head WHERE organ_id = ? AND tenant_id = ? AND IFNULL(delete_flag,'0') != '1') AS n",
    [jshId, tenantId, jshId, tenantId],
  );
  return Number((rows as { n: number }[])[0]?.n ?? 0);
}

/** Sets `enabled` alone (and logs it the way their 更新状态 does) unless it already has that value. */
async function setEnabled(
  c: PoolConnection,
  w: JsherpWrite,
  name: string,
  enabled: 0 | 1,
  current: number,
): Promise<boolean> {
  if (current === enabled) return false;
  await c.query('UPDATE jsh_supplier SET enabled = ? WHERE id = ? AND tenant_id = ?', [enabled, w.jshId, w.tenantId]);
  await logLine(c, Number(w.tenantId), `更新状态[${name}]`);
  return true;
}

/**
 * Applies one queued write in one transaction on their side: only jsh_supplier.enabled or
 * jsh_supplier.delete_flag of the linked row, plus one jsh_log line per change.
 */
async function applyOne(
  db: JshDb,
  w: JsherpWrite,
  restoreTo: 'active' | 'inactive',
  wroteDeleteFlag: boolean,
): Promise<WriteOutcome> {
  const c = await db.pool.getConnection();
  try {
    await c.beginTransaction();
    const [rows] = await c.query(
      "SELECT supplier, CAST(enabled AS UNSIGNED) AS enabled, IFNULL(delete_flag,'0') AS df FROM jsh_supplier WHERE id = ? AND tenant_id = ? FOR UPDATE",
      [w.jshId, w.tenantId],
    );
    const row = (rows as SupplierRow[])[0];
    let out: WriteOutcome;
    if (!row)
      out = { text: `jshERP 中已找不到客户 #${w.jshId}, 未写入。`, wroteDeleteFlag: null, blocked: false, columns: {} };
    else out = await decide(c, w, row, restoreTo, wroteDeleteFlag);
    await c.commit();
    return out;
  } catch (err) {
    await c.rollback().catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

type SupplierRow = { supplier: string; enabled: number | null; df: string };

/** Which of the four writes: disable and enable touch `enabled` alone. */
async function decide(
  c: PoolConnection,
  w: JsherpWrite,
  row: SupplierRow,
  restoreTo: 'active' | 'inactive',
  wroteDeleteFlag: boolean,
): Promise<WriteOutcome> {
  if (w.action === 'disable' || w.action === 'enable') return toggle(c, w, row, w.action === 'disable' ? 0 : 1);
  if (w.action === 'delete') return remove(c, w, row);
  return restore(c, w, row, restoreTo, wroteDeleteFlag);
}

async function toggle(c: PoolConnection, w: JsherpWrite, row: SupplierRow, to: 0 | 1): Promise<WriteOutcome> {
  const name = row.supplier;
  const changed = await setEnabled(c, w, name, to, Number(row.enabled ?? 1));
  return {
    text: changed
      ? `jshERP 客户「${name}」已${to ? '启用' : '禁用'} (enabled=${to})。`
      : `jshERP 客户「${name}」本来就是${to ? '启用' : '禁用'}状态, 未改动。`,
    wroteDeleteFlag: null,
    blocked: false,
    columns: changed ? { enabled: to } : {},
  };
}

/** Deletes as jshERP would; a customer its documents still name is disabled instead. */
async function remove(c: PoolConnection, w: JsherpWrite, row: SupplierRow): Promise<WriteOutcome> {
  const name = row.supplier;
  if (row.df === '1')
    return { text: `jshERP 客户「${name}」已是删除状态。`, wroteDeleteFlag: true, blocked: false, columns: {} };
  const refs = await liveReferences(c, Number(w.tenantId), Number(w.jshId));
  if (refs > 0) {
    const changed = await setEnabled(c, w, name, 0, Number(row.enabled ?? 1));
    return {
      text: `jshERP 中还有 ${refs} 张单据或收付款单引用客户「${name}」, 按 jshERP 的删除规则不能删除 (「检测到存在依赖数据，不能删除！」); 已改为禁用 (enabled=0), 其单据保留。`,
      wroteDeleteFlag: false,
      blocked: true,
      columns: changed ? { enabled: 0 } : {},
    };
  }
  await c.query("UPDATE jsh_supplier SET delete_flag = '1' WHERE id = ? AND tenant_id = ?", [w.jshId, w.tenantId]);
  await logLine(c, Number(w.tenantId), `删除[${name}]`);
  return {
    text: `jshERP 客户「${name}」已删除 (delete_flag=1)。`,
    wroteDeleteFlag: true,
    blocked: false,
    columns: { delete_flag: '1' },
  };
}

/** Undoes what the delete wrote, and brings `enabled` back to the status we restored. */
async function restore(
  c: PoolConnection,
  w: JsherpWrite,
  row: SupplierRow,
  restoreTo: 'active' | 'inactive',
  wroteDeleteFlag: boolean,
): Promise<WriteOutcome> {
  const name = row.supplier;
  const columns: Record<string, string | number> = {};
  if (wroteDeleteFlag && row.df === '1') {
    await c.query("UPDATE jsh_supplier SET delete_flag = '0' WHERE id = ? AND tenant_id = ?", [w.jshId, w.tenantId]);
    await logLine(c, Number(w.tenantId), `修改[${name}]`);
    columns.delete_flag = '0';
  }
  const enabled = restoreTo === 'active' ? 1 : 0;
  if (await setEnabled(c, w, name, enabled, Number(row.enabled ?? 1))) columns.enabled = enabled;
  return {
    text: `jshERP 客户「${name}」已恢复${columns.delete_flag ? ' (delete_flag=0)' : ''}, ${restoreTo === 'active' ? '启用' : '禁用'}。`,
    wroteDeleteFlag: false,
    blocked: false,
    columns,
  };
}

/** Called when a delete could only disable the customer in jshERP, so the approver learns why. */
export type BlockedDeleteListener = (w: JsherpWrite, outcome: WriteOutcome) => Promise<void>;

/** A failed write stays pending, with its error and the next try backed off. */
async function postpone(core: Core, w: JsherpWrite, message: string): Promise<void> {
  await w.update({
    attempts: w.attempts + 1,
    error: message.slice(0, 500),
    notBefore: new Date(core.now().getTime() + retryDelayMs(w.attempts + 1)),
  });
}

/** Records an applied write on our side in one transaction: the queue row, the link's delete flag, an audit event. */
async function recordDone(
  core: Core,
  actor: Actor,
  w: JsherpWrite,
  link: JsherpLink | null,
  outcome: WriteOutcome,
): Promise<void> {
  await withTransaction(core.models.sequelize, async (t) => {
    await w.update(
      {
        status: 'done',
        attempts: w.attempts + 1,
        result: outcome.text.slice(0, 500),
        error: null,
        doneAt: core.now(),
      },
      { transaction: t },
    );
    if (link && outcome.wroteDeleteFlag !== null)
      await core.models.JsherpLink.update(
        { wroteDeleteFlag: outcome.wroteDeleteFlag },
        { where: { id: link.id }, transaction: t },
      );
    await appendAudit(core, t, actor, {
      action: 'jsherp.write-back',
      customerId: w.customerId,
      customerCode: w.customerCode,
      info: {
        write: w.action,
        jshId: Number(w.jshId),
        tenantId: Number(w.tenantId),
        columns: outcome.columns,
        result: outcome.text,
        approvalId: w.approvalId,
      },
    });
  });
}

/**
 * Applies due writes in queue order. A failure (jshERP down) stops the round and leaves the write
 * pending with a backoff; later writes wait so they never overtake it. Each applied write is
 * recorded on our side in one transaction: the queue row, the link's delete flag, an audit event.
 */
export async function applyWriteBacks(
  core: Core,
  actor: Actor,
  db: JshDb,
  onBlocked?: BlockedDeleteListener,
): Promise<{ applied: number; failed: number; error: string | null }> {
  const { JsherpWrite, JsherpLink, Customer } = core.models;
  const due = await JsherpWrite.findAll({
    where: { status: 'pending', tenantId: db.tenantId },
    order: [['id', 'ASC']],
    limit: 200,
  });
  let applied = 0;
  for (const w of due) {
    if (w.notBefore > core.now()) break;
    const link = await JsherpLink.findOne({ where: { tenantId: w.tenantId, jshId: w.jshId } });
    const customer = await Customer.findByPk(w.customerId);
    let outcome: WriteOutcome;
    try {
      outcome = await applyOne(
        db,
        w,
        customer && isInactive(customer.status) ? 'inactive' : 'active',
        Boolean(link?.wroteDeleteFlag),
      );
    } catch (err) {
      const message = jshError(db, err).message;
      await postpone(core, w, message);
      return { applied, failed: 1, error: message };
    }
    await recordDone(core, actor, w, link, outcome);
    applied++;
    if (outcome.blocked && onBlocked)
      await onBlocked(w, outcome).catch((err: unknown) =>
        core.logger.warn({ err, writeId: w.id }, 'could not tell the approver about a blocked jshERP delete'),
      );
  }
  return { applied, failed: 0, error: null };
}

/** Writes still waiting (for the back office and --check). */
export async function pendingWrites(core: Core, tenantId: number): Promise<JsherpWrite[]> {
  return core.models.JsherpWrite.findAll({
    where: { tenantId, status: { [Op.ne]: 'done' } },
    order: [['id', 'ASC']],
    limit: 50,
  });
}

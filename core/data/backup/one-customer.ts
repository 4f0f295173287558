import path from 'node:path';
import type { Transaction } from 'sequelize';
import type { RecycleEntry } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { normalizeCode } from '../../customers/codes.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { openLines } from './files.js';
import { checkFiles, fieldAttributes, lineRow, readError } from './load.js';
import { keyFor, readManifest, type Manifest } from './manifest.js';
import { tableSpecs, insertValues, type TableSpec } from './tables.js';
import { isDeleted } from '../../customers/lifecycle.js';

/** The tables whose rows belong to one customer (by customer_id), besides the customer row itself. */
const OWN_TABLES = ['sales_orders', 'receivables', 'reservations'] as const;

/** What a backup holds of one customer: its row and its documents, as stored columns. */
export interface BackupCustomer {
  source: 'backup';
  backup: string;
  backupTakenAt: string;
  customer: Record<string, unknown>;
  rows: Record<(typeof OWN_TABLES)[number], Record<string, unknown>[]>;
}

async function scan(
  file: string,
  manifest: Manifest,
  table: string,
  key: Buffer | null,
  keep: (row: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const line of await openLines(file, key))
    if (line && keep(lineRow(line, manifest.tables[table]!.columns)))
      out.push(lineRow(line, manifest.tables[table]!.columns));
  return out;
}

/** Reads one customer, found by code, and the rows that belong to it out of a backup folder. */
export async function readCustomerFromBackup(core: Core, dir: string, code: string): Promise<BackupCustomer> {
  const manifest = readManifest(dir);
  const key = keyFor(manifest, core.config);
  const needed = new Set<string>(['customers', ...OWN_TABLES]);
  const bad = (await checkFiles(dir, manifest)).filter((p) => needed.has(p.table));
  if (bad.length)
    throw new DomainError(
      'VALIDATION',
      `备份 ${path.basename(dir)} 的文件损坏: ${bad.map((p) => `${p.file} ${p.reason}`).join('; ')}。请换一份备份。`,
      { backup: path.basename(dir) },
    );
  try {
    const file = (t: string) => path.join(dir, manifest.tables[t]!.file);
    const [customer] = await scan(file('customers'), manifest, 'customers', key, (r) => r.code === code);
    if (!customer)
      throw new DomainError(
        'NOT_FOUND',
        `备份 ${path.basename(dir)} (${manifest.createdAt.slice(0, 10)}) 里没有编码为「${code}」的客户。请换一份更早的备份, 或检查编码。`,
        { code },
      );
    const rows = {} as BackupCustomer['rows'];
    for (const t of OWN_TABLES)
      rows[t] = manifest.tables[t] ? await scan(file(t), manifest, t, key, (r) => r.customer_id === customer.id) : [];
    return { source: 'backup', backup: path.basename(dir), backupTakenAt: manifest.createdAt, customer, rows };
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('VALIDATION', `备份 ${path.basename(dir)} 无法读取: ${readError(err)}。请换一份备份。`, {
      backup: path.basename(dir),
    });
  }
}

/**
 * Puts one customer from a backup into the recycle bin, from where 恢复客户 brings it back through the
 * usual restore permission. Nothing live changes here; the restore itself never replaces other data.
 */
export async function stageCustomerFromBackup(
  core: Core,
  actor: Actor,
  dir: string,
  rawCode: string,
): Promise<{ entry: RecycleEntry; found: BackupCustomer }> {
  assertCan(actor.operator, 'restoreBackup');
  const code = normalizeCode(rawCode);
  const found = await readCustomerFromBackup(core, dir, code);
  const entry = await withTransaction(core.models.sequelize, async (t) => {
    const open = await core.models.RecycleEntry.findOne({
      where: { customerCode: code, restoredAt: null, purgedAt: null },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (open)
      throw new DomainError(
        'CONFLICT',
        `回收站里已有客户 ${code} (条目 #${open.id}); 请先用「恢复客户 ${code}」恢复它, 或等它过期后再从备份取回。`,
        { code },
      );
    const now = core.now();
    const status = String(found.customer.status);
    const created = await core.models.RecycleEntry.create(
      {
        customerId: Number(found.customer.id),
        customerCode: code,
        customerName: String(found.customer.name),
        previousStatus: isDeleted(status) ? 'inactive' : status,
        snapshot: JSON.stringify(found),
        approvalId: null,
        deletedBy: actor.operator.id ?? 0,
        deletedAt: now,
        retainUntil: new Date(now.getTime() + core.config.RECYCLE_RETENTION_DAYS * 86400_000),
        restoredAt: null,
        purgedAt: null,
      },
      { transaction: t },
    );
    await appendAudit(core, t, actor, {
      action: 'customer.backup-staged',
      customerId: Number(found.customer.id),
      customerCode: code,
      info: { backup: found.backup, recycleEntryId: created.id, orders: found.rows.sales_orders.length },
    });
    return created;
  });
  return { entry, found };
}

const specOf = (core: Core, table: string): TableSpec => tableSpecs(core.models).find((s) => s.table === table)!;

/**
 * Writes a backup's customer back inside `t`: the customer row takes the backup's values (same id),
 * and its documents that no longer exist are inserted again; documents that exist are left alone.
 */
export async function writeBackupCustomer(
  core: Core,
  t: Transaction,
  found: BackupCustomer,
): Promise<{ inserted: number }> {
  const qi = core.models.sequelize.getQueryInterface();
  const id = Number(found.customer.id);
  const clash = await core.models.Customer.findOne({ where: { code: found.customer.code as string }, transaction: t });
  if (clash && clash.id !== id)
    throw new DomainError(
      'CONFLICT',
      `编码 ${String(found.customer.code)} 现在属于另一个客户 (${clash.name}); 备份里的客户不能恢复到这个编码。请先给其中一个改编码。`,
      { code: found.customer.code },
    );
  const spec = specOf(core, 'customers');
  const values = insertValues(spec, found.customer);
  const live = await core.models.Customer.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
  if (live) {
    const { id: _id, ...rest } = values;
    await qi.bulkUpdate(
      'customers',
      { ...rest, version: live.version + 1 },
      { id },
      { transaction: t },
      fieldAttributes(spec) as never,
    ); // typed as names; sequelize uses the attribute definitions to format dates
  } else await qi.bulkInsert('customers', [values], { transaction: t }, fieldAttributes(spec));
  let inserted = 0;
  for (const table of OWN_TABLES) {
    const rows = found.rows[table];
    if (!rows.length) continue;
    const s = specOf(core, table);
    const existing = new Set(
      (
        await s.model.findAll({
          where: { id: rows.map((r) => r.id as number) },
          attributes: ['id'],
          transaction: t,
          raw: true,
        })
      ).map((r) => Number((r as unknown as { id: number }).id)),
    );
    const missing = rows.filter((r) => !existing.has(Number(r.id)));
    if (missing.length)
      await qi.bulkInsert(
        table,
        missing.map((r) => insertValues(s, r)),
        { transaction: t },
        fieldAttributes(s),
      );
    inserted += missing.length;
  }
  return { inserted };
}

/** Whether a recycle entry came from a backup (its snapshot says so). */
export function backupSnapshot(entry: RecycleEntry): BackupCustomer | null {
  try {
    const s = JSON.parse(entry.snapshot) as Partial<BackupCustomer>;
    return s.source === 'backup' ? (s as BackupCustomer) : null;
  } catch {
    return null;
  }
}

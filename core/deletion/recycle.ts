import { Op, type Transaction } from 'sequelize';
import type { RecycleEntry } from '../../models/index.js';
import { withTransaction } from '../../models/tx.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { normalizeCode } from '../customers/codes.js';
import { localTime } from './approvals.js';
import { backupSnapshot, writeBackupCustomer } from '../data/backup/one-customer.js';
import { mayTransition } from '../customers/lifecycle.js';

/** Entries still restorable (not restored, not purged), newest first. */
export async function listRecycleBin(core: Core, actor: Actor, opts: { limit?: number } = {}): Promise<RecycleEntry[]> {
  assertCan(actor.operator, 'view');
  return core.models.RecycleEntry.findAll({
    where: { restoredAt: null, purgedAt: null },
    order: [['deletedAt', 'DESC']],
    limit: opts.limit ?? 50,
  });
}

/** Brings a deleted customer back: same id and code, previous status, whole audit history. */
export async function restoreCustomer(
  core: Core,
  actor: Actor,
  rawCode: string,
): Promise<{ code: string; status: string; entry: RecycleEntry }> {
  assertCan(actor.operator, 'restore');
  const code = normalizeCode(rawCode);
  return withTransaction(core.models.sequelize, async (t) => {
    const entry = await core.models.RecycleEntry.findOne({
      where: { customerCode: code, restoredAt: null },
      order: [['id', 'DESC']],
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    if (!entry)
      throw new DomainError('NOT_FOUND', `回收站里没有编码为「${code}」的客户。用「回收站」查看可恢复的客户。`, {
        code,
      });
    if (entry.purgedAt)
      throw new DomainError(
        'CONFLICT',
        `客户 ${code} 已于 ${localTime(core, entry.purgedAt)} 彻底清除 (超过保留期), 个人信息已抹去, 无法恢复。`,
        { code },
      );
    const fromBackup = backupSnapshot(entry);
    if (fromBackup) {
      // Taken out of a backup (purged, or damaged by an edit or import): its row and missing documents come back.
      const before = await core.models.Customer.findByPk(entry.customerId, { transaction: t });
      const { inserted } = await writeBackupCustomer(core, t, fromBackup);
      await entry.update({ restoredAt: core.now() }, { transaction: t });
      await appendAudit(core, t, actor, {
        action: 'customer.restore',
        customerId: entry.customerId,
        customerCode: code,
        before: { status: before?.status ?? null },
        after: { status: String(fromBackup.customer.status) },
        info: { recycleEntryId: entry.id, backup: fromBackup.backup, documents: inserted },
      });
      return { code, status: String(fromBackup.customer.status), entry };
    }
    const customer = await core.models.Customer.findByPk(entry.customerId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!customer || !mayTransition(customer.status, 'restore'))
      throw new DomainError('CONFLICT', `客户 ${code} 当前不是已删除状态, 无需恢复。`, { code });
    await customer.update(
      { status: entry.previousStatus as 'active' | 'inactive', version: customer.version + 1 },
      { transaction: t },
    );
    await entry.update({ restoredAt: core.now() }, { transaction: t });
    await appendAudit(core, t, actor, {
      action: 'customer.restore',
      customerId: customer.id,
      customerCode: code,
      before: { status: 'deleted' },
      after: { status: entry.previousStatus },
      info: { recycleEntryId: entry.id },
    });
    return { code, status: entry.previousStatus, entry };
  });
}

/** What purge leaves of a customer's personal data, in the row and in its snapshot (free-text fields may name people too). */
function erased(customerId: number) {
  const anonymous = `已删除客户-${customerId}`;
  return {
    name: anonymous,
    nameNorm: anonymous,
    contact: null,
    phoneEnc: null,
    phoneHash: null,
    addressEnc: null,
    note: null,
    deactivationMemo: null,
  };
}

/** Blanks the personal fields in every snapshot of the customer, including older, restored ones. */
async function anonymiseSnapshots(
  core: Core,
  customerId: number,
  blank: ReturnType<typeof erased>,
  t: Transaction,
): Promise<void> {
  const entries = await core.models.RecycleEntry.findAll({
    where: { customerId },
    transaction: t,
    lock: t.LOCK.UPDATE,
  });
  for (const e of entries) {
    const snapshot = JSON.parse(e.snapshot) as {
      customer?: Record<string, unknown> | null;
      handling?: { requesterNote?: string | null; lines?: string[] };
    };
    if (snapshot.customer) Object.assign(snapshot.customer, blank);
    // The requester's note is free text that may name the customer's people.
    if (snapshot.handling?.requesterNote) {
      snapshot.handling.lines = (snapshot.handling.lines ?? []).filter((l) => !l.startsWith('申请人备注'));
      snapshot.handling.requesterNote = null;
    }
    await e.update({ snapshot: JSON.stringify(snapshot), customerName: blank.name }, { transaction: t });
  }
}

/**
 * Erases personal data once retention has passed: the customer row and the snapshot lose
 * name, contact, phone and address; old audit events lose their personal values. Orders,
 * receivables and the audit chain stay, pointing at the anonymised customer.
 */
export async function purgeEntry(
  core: Core,
  actor: Actor,
  entryId: number,
  opts: { force?: boolean } = {},
): Promise<{ redactedEvents: number }> {
  assertCan(actor.operator, 'purge');
  return withTransaction(core.models.sequelize, async (t) => {
    const entry = await core.models.RecycleEntry.findByPk(entryId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!entry) throw new DomainError('NOT_FOUND', `回收站里没有第 ${entryId} 条。`);
    if (entry.purgedAt) throw new DomainError('CONFLICT', `第 ${entryId} 条已清除过。`);
    if (entry.restoredAt) throw new DomainError('CONFLICT', `客户 ${entry.customerCode} 已恢复, 不能清除。`);
    if (!opts.force && entry.retainUntil > core.now())
      throw new DomainError(
        'CONFLICT',
        `客户 ${entry.customerCode} 的保留期到 ${localTime(core, entry.retainUntil)}, 之前不能清除。`,
      );
    const blank = erased(entry.customerId);
    await core.models.Customer.update(blank, { where: { id: entry.customerId }, transaction: t });
    await anonymiseSnapshots(core, entry.customerId, blank, t);
    await entry.update({ purgedAt: core.now() }, { transaction: t });
    const [redactedEvents] = await core.models.AuditEvent.update(
      { pii: null },
      { where: { customerId: entry.customerId, pii: { [Op.ne]: null } }, transaction: t },
    );
    await appendAudit(core, t, actor, {
      action: 'customer.purge',
      customerId: entry.customerId,
      customerCode: entry.customerCode,
      info: { recycleEntryId: entry.id, redactedEvents },
    });
    return { redactedEvents };
  });
}

/** Entries whose retention has run out (for the recycle-purge job). */
export async function purgeableEntries(core: Core): Promise<RecycleEntry[]> {
  return core.models.RecycleEntry.findAll({
    where: { restoredAt: null, purgedAt: null, retainUntil: { [Op.lte]: core.now() } },
    limit: 500,
  });
}

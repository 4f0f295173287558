import type { Transaction } from 'sequelize';
import type { Customer, CustomerMerge } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { localTime } from '../../deletion/approvals.js';
import { auditFields, toView } from '../view.js';
import { SURVIVOR_COLUMNS, type SurvivorBefore } from './act.js';
import { moveBack, undoBlockers, type MovedRows } from './move.js';
import { getMerge } from './request.js';
import { mayTransition } from '../lifecycle.js';

/** The outcome of 撤销合并. */
export interface UnmergeResult {
  merge: CustomerMerge;
  keep: Customer;
  restored: Customer[];
}

function refused(merge: CustomerMerge, reasons: string[]): DomainError {
  const lines = reasons.map((r, i) => `${i + 1}. ${r}`).join('\n');
  return new DomainError('CONFLICT', `合并单 #${merge.id} 不能撤销, 没有做任何改动:\n${lines}`, {
    mergeId: merge.id,
    reasons,
  });
}

/** Only a done merge, within RECYCLE_RETENTION_DAYS of it, can be undone. */
function assertUndoable(core: Core, merge: CustomerMerge): void {
  const id = merge.id;
  if (merge.status !== 'done')
    throw new DomainError(
      'CONFLICT',
      `合并单 #${id} ${merge.status === 'undone' ? '已撤销过' : '还没有执行合并'}, 无需撤销。`,
      { mergeId: id, status: merge.status },
    );
  const until = new Date(merge.mergedAt!.getTime() + core.config.RECYCLE_RETENTION_DAYS * 86400_000);
  if (until <= core.now())
    throw new DomainError(
      'CONFLICT',
      `合并单 #${id} 已超过 ${core.config.RECYCLE_RETENTION_DAYS} 天的撤销期限 (${localTime(core, until)}), 不能再撤销。`,
      { mergeId: id },
    );
}

/** Every reason the merge cannot be undone now: the survivor or an absorbed customer changed, or a moved row did. */
async function undoRefusals(
  core: Core,
  t: Transaction,
  merge: CustomerMerge,
  parties: { keep: Customer; absorbed: Customer[]; before: SurvivorBefore; moved: MovedRows },
): Promise<string[]> {
  const { keep, absorbed, before } = parties;
  const reasons: string[] = [];
  if (keep.mergedInto) reasons.push(`保留客户 ${keep.code} 之后又被并入了别的客户, 请先撤销那次合并`);
  else if (keep.version !== merge.survivorVersion)
    reasons.push(`保留客户 ${keep.code} 在合并后被修改过 (版本 ${merge.survivorVersion} → ${keep.version})`);
  for (const a of before.absorbed) {
    const row = absorbed.find((r) => r.id === a.id);
    if (!row || row.mergedInto !== keep.id || !mayTransition(row.status, 'unmerge'))
      reasons.push(`客户 ${a.code} 已不是并入 ${keep.code} 的状态`);
  }
  reasons.push(...(await undoBlockers(core, t, parties.moved, keep.id)).map((b) => b.text));
  return reasons;
}

/** The survivor gets its own values back; each absorbed customer its own status. */
async function restoreParties(
  t: Transaction,
  keep: Customer,
  absorbed: Customer[],
  before: SurvivorBefore,
): Promise<void> {
  const survivor = Object.fromEntries(
    SURVIVOR_COLUMNS.map((k) => [
      k,
      k === 'lastOrderAt' ? (before.survivor[k] ? new Date(before.survivor[k] as string) : null) : before.survivor[k],
    ]),
  );
  await keep.update({ ...survivor, version: keep.version + 1 }, { transaction: t });
  for (const row of absorbed) {
    const was = before.absorbed.find((a) => a.id === row.id)!;
    await row.update(
      { status: was.status as Customer['status'], mergedInto: null, version: row.version + 1 },
      { transaction: t },
    );
  }
}

async function auditUnmerge(
  core: Core,
  t: Transaction,
  actor: Actor,
  id: number,
  done: { keep: Customer; absorbed: Customer[]; before: SurvivorBefore; viewBefore: Record<string, unknown> },
): Promise<void> {
  const { keep, absorbed, before } = done;
  await appendAudit(core, t, actor, {
    action: 'customer.unmerged',
    customerId: keep.id,
    customerCode: keep.code,
    before: done.viewBefore,
    after: auditFields(toView(core, keep)),
    info: { mergeId: id, role: 'survivor', restored: before.absorbed.map((a) => a.code) },
  });
  for (const row of absorbed) {
    await appendAudit(core, t, actor, {
      action: 'customer.unmerged',
      customerId: row.id,
      customerCode: row.code,
      before: { status: 'deleted', mergedInto: keep.code },
      after: { status: row.status },
      info: { mergeId: id, role: 'absorbed', survivor: keep.code },
    });
  }
}

/**
 * 撤销合并: within RECYCLE_RETENTION_DAYS, every moved row goes back, each absorbed customer
 * returns with its own code, status and history, the aliases go, the survivor gets its own values
 * back. Refused with every reason (nothing half-done) if a moved row or the survivor changed since.
 */
export async function unmerge(core: Core, actor: Actor, id: number): Promise<UnmergeResult> {
  assertCan(actor.operator, 'restore');
  return withTransaction(core.models.sequelize, async (t) => {
    const merge = await getMerge(core, id, t);
    assertUndoable(core, merge);
    const before = JSON.parse(merge.survivorBefore!) as SurvivorBefore;
    const moved = JSON.parse(merge.moved ?? '{}') as MovedRows;
    const keep = (await core.models.Customer.findByPk(merge.keepCustomerId, { transaction: t, lock: t.LOCK.UPDATE }))!;
    const absorbed = await core.models.Customer.findAll({
      where: { id: before.absorbed.map((a) => a.id) },
      transaction: t,
      lock: t.LOCK.UPDATE,
    });
    const reasons = await undoRefusals(core, t, merge, { keep, absorbed, before, moved });
    if (reasons.length) throw refused(merge, reasons);
    const viewBefore = auditFields(toView(core, keep));
    await core.models.CustomerAlias.destroy({ where: { mergeId: id }, transaction: t });
    await moveBack(core, t, moved, new Map(before.absorbed.map((a) => [a.id, a.code])));
    await restoreParties(t, keep, absorbed, before);
    await merge.update(
      { status: 'undone', undoneAt: core.now(), undoneByName: actor.operator.displayName.slice(0, 100) },
      { transaction: t },
    );
    await auditUnmerge(core, t, actor, id, { keep, absorbed, before, viewBefore });
    return { merge, keep, restored: absorbed };
  });
}

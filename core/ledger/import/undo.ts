import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { assertCan } from '../../permissions.js';
import { TYPE_LABELS, type LedgerFileType } from './columns.js';
import { revertBatch, type TouchedDoc } from './revert.js';

/** What undoing a ledger import did. */
export interface LedgerUndoReport {
  batchId: string;
  fileName: string;
  type: LedgerFileType;
  /** Documents the batch created, now deleted. */
  removed: number;
  /** Documents the batch changed (or closed), now as they were before. */
  restored: number;
}

const SHOWN = 30;

function touchedList(touched: TouchedDoc[]): string {
  const shown = touched
    .slice(0, SHOWN)
    .map((d) => `${d.number} (${d.reason})`)
    .join('; ');
  return touched.length > SHOWN ? `${shown}; …… 共 ${touched.length} 张` : shown;
}

/**
 * Undoes a committed ledger import in one transaction: documents it created are deleted, documents
 * it changed (snapshot closings too) get their earlier state back from the ledger events. When any
 * of them was changed again since, nothing is undone and the refusal lists them.
 */
export async function undoLedgerImport(core: Core, actor: Actor, batchRef: string): Promise<LedgerUndoReport> {
  return withTransaction(core.models.sequelize, async (t) => {
    const id = Number(String(batchRef).trim().replace(/^#/, ''));
    const batch =
      Number.isInteger(id) && id > 0
        ? await core.models.ImportBatch.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE })
        : null;
    if (!batch)
      throw new DomainError(
        'NOT_FOUND',
        `找不到导入批次「${batchRef}」。导入完成时会显示批次号; 也可以在后台「导入批次」里查看。`,
        { batch: batchRef },
      );
    if (batch.kind !== 'orders' && batch.kind !== 'receivables') {
      throw new DomainError(
        'CONFLICT',
        `导入批次 #${batch.id} 是客户导入, 不是单据导入。请用 steward import undo ${batch.id} 撤销。`,
        { batch: batch.id },
      );
    }
    const type: LedgerFileType = batch.kind === 'orders' ? 'orders' : 'receivables';
    if (type === 'receivables') assertCan(actor.operator, 'payments');
    else assertCan(actor.operator, 'orders');
    if (batch.status === 'undone') {
      throw new DomainError(
        'CONFLICT',
        `导入批次 #${batch.id} (${batch.fileName}) 已于 ${batch.undoneAt?.toISOString().slice(0, 16).replace('T', ' ')} UTC 由 ${batch.undoneBy} 撤销过, 无需再撤销。`,
        { batch: batch.id },
      );
    }
    const r = await revertBatch(core, t, batch.id, { door: actor.door, actorName: actor.operator.displayName });
    if (r.touched.length) {
      throw new DomainError(
        'CONFLICT',
        `导入批次 #${batch.id} 没有撤销: 其中 ${r.touched.length} 张${TYPE_LABELS[type]}在导入后又被改动过, 撤销会覆盖这些改动。${touchedList(r.touched)}。请先在进销存里核对这些单据。`,
        { batch: batch.id, touched: r.touched },
      );
    }
    await batch.update(
      { status: 'undone', undoneAt: core.now(), undoneBy: actor.operator.displayName },
      { transaction: t },
    );
    await appendAudit(core, t, actor, {
      action: 'ledger.import-undo',
      info: { batchId: batch.id, kind: type, fileName: batch.fileName, removed: r.removed, restored: r.restored },
    });
    return { batchId: String(batch.id), fileName: batch.fileName, type, removed: r.removed, restored: r.restored };
  });
}

import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { CustomerRecode, RecodeRow } from '../../../models/index.js';
import { withTransaction } from '../../../models/tx.js';
import { appendAudit } from '../../audit.js';
import type { Actor, Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { codeColumns } from '../codes.js';
import { assertPlanClean, planRecode } from './plan.js';
import { loadOpenRecode, recodeDecidedError, recodeRows } from './request.js';

/** Tables that keep a copy of the customer's code beside its id (current state, not history): moved with the code. */
const CODE_COPIES = ['customer_keeps', 'jsherp_links'] as const;

/** Options of approveRecode. */
export interface ApproveRecodeOptions {
  /** Tells the requester, inside the act's transaction (an outbox write). */
  notify?: (t: Transaction, recode: CustomerRecode, rows: RecodeRow[]) => Promise<unknown>;
}

/** The conditional UPDATE is the claim: a second approver at the same moment matches no row. */
async function claimRecode(core: Core, actor: Actor, id: number, now: Date, t: Transaction): Promise<CustomerRecode> {
  const [claimed] = await core.models.CustomerRecode.update(
    {
      status: 'done',
      decidedBy: actor.operator.id,
      decidedByName: actor.operator.displayName.slice(0, 100),
      decidedAt: now,
    },
    { where: { id, status: 'pending' }, transaction: t },
  );
  const recode = (await core.models.CustomerRecode.findByPk(id, { transaction: t }))!;
  if (claimed !== 1) throw recodeDecidedError(core, recode);
  return recode;
}

/** Re-plans every line; the request itself is no longer "pending", so the re-check does not trip over its own rows. */
async function recheckRows(core: Core, id: number, rows: RecodeRow[], t: Transaction): Promise<void> {
  const plan = await planRecode(
    core,
    rows.map((r) => ({ from: r.from, to: r.to })),
    t,
  );
  assertPlanClean(plan);
  if (plan.rows.some((r, i) => r.customerId !== rows[i]!.customerId))
    throw new DomainError('CONFLICT', `改编码申请 #${id} 里的编码已指向别的客户, 未执行。请重新提交。`, {
      recodeId: id,
    });
}

/** One line: the new code, the old one as an alias, the code copies, and its audit event. */
async function recodeOne(
  core: Core,
  actor: Actor,
  recode: CustomerRecode,
  r: RecodeRow,
  now: Date,
  t: Transaction,
): Promise<void> {
  const q = (n: string) => core.models.sequelize.getQueryInterface().quoteIdentifier(n);
  const c = (await core.models.Customer.findByPk(r.customerId, { transaction: t, lock: t.LOCK.UPDATE }))!;
  await c.update({ code: r.to, ...codeColumns(core, r.to, 'recode'), version: c.version + 1 }, { transaction: t });
  await core.models.CustomerAlias.create(
    { code: r.from, customerId: c.id, mergeId: null, createdAt: now },
    { transaction: t },
  );
  for (const table of CODE_COPIES) {
    await core.models.sequelize.query(
      `UPDATE ${q(table)} SET ${q('customer_code')} = ? WHERE ${q('customer_id')} = ?`,
      { replacements: [r.to, c.id], transaction: t },
    );
  }
  await appendAudit(core, t, actor, {
    action: 'customer.recoded',
    customerId: c.id,
    customerCode: r.to,
    before: { code: r.from },
    after: { code: r.to },
    info: { recodeId: recode.id, reason: r.reason ?? recode.reason, requester: recode.requesterName },
  });
}

/**
 * 批准改编码: an approver's OK (never the requester) changes every code in ONE transaction —
 * the claim, a re-check of every line, the codes, the old codes as aliases (for ever, so printed
 * documents and the ERP still resolve), the code copies, and one customer.recoded audit event per
 * customer (which sends the webhook). Orders point at the customer id, so they need no change.
 */
export async function approveRecode(
  core: Core,
  actor: Actor,
  id: number,
  opts: ApproveRecodeOptions = {},
): Promise<{ recode: CustomerRecode; rows: RecodeRow[] }> {
  const open = await loadOpenRecode(core, actor, id);
  const rows = recodeRows(open);
  try {
    return await withTransaction(core.models.sequelize, async (t) => {
      const now = core.now();
      const recode = await claimRecode(core, actor, id, now, t);
      await recheckRows(core, id, rows, t);
      for (const r of rows) await recodeOne(core, actor, recode, r, now, t);
      if (opts.notify) await opts.notify(t, recode, rows);
      return { recode, rows };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError)
      throw new DomainError(
        'CONFLICT',
        `改编码申请 #${id} 执行时遇到编码冲突 (新编码刚被占用), 未执行, 没有任何改动。请重新提交。`,
        { recodeId: id },
      );
    throw err;
  }
}

/** 「C20260011 已改为 KH-0011」: what lookups say when an old code leads to the customer's new one. */
export function recodedNote(from: string, to: string): string {
  return `${from} 已改为 ${to}`;
}

/** The note for an old code: 已改为 for a recode alias, 已并入 for a merge alias. */
export async function aliasNote(core: Core, from: string, to: string): Promise<string> {
  const alias = await core.models.CustomerAlias.findOne({ where: { code: from }, attributes: ['mergeId'] });
  return alias && alias.mergeId === null ? recodedNote(from, to) : `${from} 已并入 ${to}`;
}

import type { Transaction } from 'sequelize';
import type { Customer } from '../../../models/index.js';
import type { Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { normalizeCode } from '../codes.js';

/** A code resolved through merges: the live customer it stands for, and the code asked for when it was an alias. */
export interface Followed {
  customer: Customer;
  /** The (normalised) code that was asked for, when it is a merged customer's code; else null. */
  mergedFrom: string | null;
}

/** 「C20260011 已并入 C20260009」: what every door says when an old code leads to its survivor. */
export function mergedNote(from: string, into: string): string {
  return `${from} 已并入 ${into}`;
}

/** The survivor a code stands for after a merge, or null when the code is not an alias. */
export async function survivorOf(core: Core, rawCode: string, t?: Transaction): Promise<Customer | null> {
  const code = normalizeCode(rawCode);
  const alias = await core.models.CustomerAlias.findOne({ where: { code }, transaction: t });
  if (!alias) return null;
  return core.models.Customer.findByPk(alias.customerId, { transaction: t });
}

/**
 * A customer by code, following a merge to the survivor: reads (lookups, the API, the ledger push)
 * use this, so old codes printed on documents and kept in the ERP still resolve. Null if unknown.
 */
export async function followCode(core: Core, rawCode: string, t?: Transaction): Promise<Followed | null> {
  const code = normalizeCode(rawCode);
  const row = await core.models.Customer.findOne({ where: { code }, transaction: t });
  if (row && !row.mergedInto) return { customer: row, mergedFrom: null };
  const survivor = await survivorOf(core, code, t);
  if (survivor) return { customer: survivor, mergedFrom: code };
  return row ? { customer: row, mergedFrom: null } : null;
}

/** CUSTOMER_MERGED: a change addressed to a merged customer's code is refused, naming the survivor. */
export function mergedError(code: string, into: string, mergeId?: number | null): DomainError {
  const undo = mergeId ? ` 如合并有误, 可「撤销合并 ${mergeId}」。` : '';
  return new DomainError(
    'CUSTOMER_MERGED',
    `${mergedNote(code, into)}, 不能再修改 ${code}; 请对 ${into} 操作。${undo}`,
    { code, mergedInto: into, mergeId: mergeId ?? null },
  );
}

/** Throws CUSTOMER_MERGED for a tombstone (a customer merged into another); used by every lifecycle change. */
export async function refuseMerged(
  core: Core,
  row: Pick<Customer, 'code' | 'mergedInto'>,
  t?: Transaction,
): Promise<void> {
  if (!row.mergedInto) return;
  const alias = await core.models.CustomerAlias.findOne({ where: { code: row.code }, transaction: t });
  const into = await core.models.Customer.findByPk(alias?.customerId ?? row.mergedInto, {
    attributes: ['code'],
    transaction: t,
  });
  throw mergedError(row.code, into?.code ?? `#${row.mergedInto}`, alias?.mergeId);
}

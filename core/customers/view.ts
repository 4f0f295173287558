import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Customer, CustomerStatus } from '../../models/index.js';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { decrypt, maskAddress, maskPhone } from '../privacy.js';
import { normalizeCode } from './codes.js';
import { refuseMerged } from './merge/aliases.js';

/** A customer as the doors see it: decrypted, plus masked forms of the personal fields. */
export interface CustomerView {
  id: number;
  code: string;
  name: string;
  contact: string | null;
  phone: string | null;
  phoneMasked: string;
  address: string | null;
  addressMasked: string;
  category: string | null;
  region: string | null;
  ownerId: number | null;
  status: CustomerStatus;
  deactivationReason: string | null;
  deactivationMemo: string | null;
  deactivatedAt: Date | null;
  reactivateOn: string | null;
  note: string | null;
  lastOrderAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export const STATUS_LABELS: Record<CustomerStatus, string> = { active: '启用', inactive: '停用', deleted: '已删除' };

/** Decrypts one row into a view. */
export function toView(core: Core, c: Customer): CustomerView {
  const phone = decrypt(core.keys, c.phoneEnc);
  const address = decrypt(core.keys, c.addressEnc);
  return {
    id: c.id,
    code: c.code,
    name: c.name,
    contact: c.contact,
    phone,
    phoneMasked: maskPhone(phone),
    address,
    addressMasked: maskAddress(address),
    category: c.category,
    region: c.region ?? null,
    ownerId: c.ownerId,
    status: c.status,
    deactivationReason: c.deactivationReason,
    deactivationMemo: c.deactivationMemo,
    deactivatedAt: c.deactivatedAt,
    reactivateOn: c.reactivateOn,
    note: c.note,
    lastOrderAt: c.lastOrderAt,
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** The fields an audit diff records (personal ones are split off by the audit module). */
export function auditFields(v: CustomerView): Record<string, unknown> {
  return {
    code: v.code,
    name: v.name,
    contact: v.contact,
    phone: v.phone,
    address: v.address,
    category: v.category,
    region: v.region,
    ownerId: v.ownerId,
    status: v.status,
    deactivationReason: v.deactivationReason,
    deactivationMemo: v.deactivationMemo,
    reactivateOn: v.reactivateOn,
    note: v.note,
  };
}

/** Loads a customer by code (normalised), throwing CUSTOMER_NOT_FOUND with a hint, or CUSTOMER_MERGED for a merged one. */
export async function findByCode(core: Core, rawCode: string, t?: Transaction, lock = false): Promise<Customer> {
  const code = normalizeCode(rawCode);
  const lockOpt = lock && t ? { lock: t.LOCK.UPDATE } : {};
  let row = await core.models.Customer.findOne({ where: { code }, transaction: t, ...lockOpt });
  // A recoded customer's old code (an alias without a merge) still stands for it: the ERP keeps sending it.
  const alias = row
    ? null
    : await core.models.CustomerAlias.findOne({ where: { code, mergeId: null }, transaction: t });
  if (alias) row = await core.models.Customer.findByPk(alias.customerId, { transaction: t, ...lockOpt });
  if (!row) throw customerNotFound(code);
  // A merged customer is a tombstone: every change goes to its survivor instead.
  await refuseMerged(core, row, t);
  return row;
}

/** CUSTOMER_NOT_FOUND for a (normalised) code, with where to look instead. */
export function customerNotFound(code: string): DomainError {
  return new DomainError(
    'CUSTOMER_NOT_FOUND',
    `找不到编码为「${code}」的客户。请核对编码, 或用「客户 名称/手机」搜索。`,
    { code },
  );
}

/** CODE_TAKEN for `code`, with what to do about it. */
export function codeTakenError(code: string): DomainError {
  return new DomainError('CODE_TAKEN', `客户编码「${code}」已被占用。请换一个编码, 或留空自动生成。`, {
    field: 'code',
    code,
  });
}

/** Turns a unique-key violation on customers.code into CODE_TAKEN; SQLite and MySQL report it differently. */
export function mapUniqueError(err: unknown, code: string): never {
  if (err instanceof UniqueConstraintError) {
    const fields = Array.isArray(err.fields) ? err.fields : Object.keys(err.fields ?? {});
    const onCode = fields.some((f) => /code/.test(f)) || /code/.test(err.message) || fields.length === 0;
    if (onCode) throw codeTakenError(code);
  }
  throw err;
}

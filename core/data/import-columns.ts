/** The column lists and row values the import writer sends in its multi-row INSERTs. */
import type { ImportOutcome } from '../../models/index.js';
import type { Core } from '../context.js';
import { isInactive } from '../customers/lifecycle.js';
import { blindIndex, encrypt } from '../privacy.js';
import { normalizePhone } from '../text.js';
import type { PlannedRow } from './plan.js';

export const CUSTOMER_COLUMNS = [
  'code',
  'name',
  'name_norm',
  'contact',
  'phone_enc',
  'phone_hash',
  'address_enc',
  'category',
  'region',
  'owner_id',
  'status',
  'deactivation_reason',
  'deactivation_memo',
  'deactivated_at',
  'note',
  'version',
  'created_at',
  'updated_at',
];
export const ROW_COLUMNS = [
  'batch_id',
  'row_no',
  'outcome',
  'customer_id',
  'customer_code',
  'version_after',
  'before',
  'message',
];

export function outcome(r: PlannedRow): ImportOutcome {
  return r.action === 'create'
    ? 'created'
    : r.action === 'update'
      ? 'updated'
      : r.action === 'unchanged'
        ? 'unchanged'
        : 'error';
}

/** One new customer's stored columns in CUSTOMER_COLUMNS order (code left null); the phone's blind index is reused when already normal. */
export function newCustomerValues(core: Core, r: PlannedRow, now: Date): unknown[] {
  const { input } = r;
  const inactive = r.status !== null && isInactive(r.status);
  const phone = input.phone ?? null;
  const hash = phone === null ? null : normalizePhone(phone) === phone ? r.phoneHash : blindIndex(core.keys, phone);
  return [
    null,
    input.name,
    r.nameNorm,
    input.contact ?? null,
    encrypt(core.keys, phone),
    hash,
    encrypt(core.keys, input.address),
    input.category ?? null,
    input.region ?? null,
    r.ownerId ?? null,
    inactive ? 'inactive' : 'active',
    inactive ? '其他' : null,
    inactive ? '导入时即为停用' : null,
    inactive ? now : null,
    input.note ?? null,
    1,
    now,
    now,
  ];
}

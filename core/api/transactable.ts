import type { Customer } from '../../models/index.js';
import type { Core } from '../context.js';
import { isDomainError } from '../errors.js';
import { readPooled } from '../data/sql.js';
import { localParts, normalizeCode } from '../customers/codes.js';
import { assertOpenForBusiness } from '../customers/status.js';
import { customerNotFound } from '../customers/view.js';
import { mergedNote } from '../customers/merge/aliases.js';
import { isInactive, isOpenForBusiness } from '../customers/lifecycle.js';

/** Whether a new order may be saved for a customer: what the ERP asks before it saves one. */
export type Transactable =
  | { ok: true; mergedInto?: string }
  | {
      ok: false;
      status: 'inactive' | 'deleted';
      reason: string | null;
      since: string | null;
      until: string | null;
      message: string;
      mergedInto?: string;
    };

interface Row {
  code: string;
  name: string;
  status: Customer['status'];
  deactivation_reason: string | null;
  deactivation_memo: string | null;
  deactivated_at: Date | string | null;
  reactivate_on: string | null;
  merged_into: number | null;
}

const COLUMNS =
  'code, name, status, deactivation_reason, deactivation_memo, deactivated_at, reactivate_on, merged_into';
const SQL = `SELECT ${COLUMNS} FROM customers WHERE code = ?`;
const BY_ID = `SELECT ${COLUMNS} FROM customers WHERE id = ?`;
const BY_ALIAS = `SELECT ${COLUMNS.split(', ')
  .map((c) => `c.${c}`)
  .join(
    ', ',
  )} FROM customer_aliases a JOIN customers c ON c.id = a.customer_id WHERE a.code = ? AND a.merge_id IS NULL`;

/** One row by code, past Sequelize's query wrapper on MySQL (see readPooled). */
async function readRow(core: Core, code: string): Promise<Row | undefined> {
  return (await readPooled<Row>(core.models.sequelize, SQL, [code]))[0];
}

/**
 * The 停用 rule for one code, with the same Chinese message core gives when it refuses a new
 * order (assertOpenForBusiness). One raw SELECT of the few columns it needs and no transaction:
 * this is called before every order the ERP saves, so it must cost one round trip and little CPU.
 * Throws CUSTOMER_NOT_FOUND for an unknown code; a merged code is answered for its survivor.
 */
export async function checkTransactable(core: Core, rawCode: string): Promise<Transactable> {
  const code = normalizeCode(rawCode);
  // A recoded customer's old code (an alias without a merge) answers for the customer.
  let r = (await readRow(core, code)) ?? (await readPooled<Row>(core.models.sequelize, BY_ALIAS, [code]))[0];
  if (!r) throw customerNotFound(code);
  // A merged code stands for its survivor (one more read, only for old codes); `mergedInto` says so.
  const merged = r.merged_into ? (await readPooled<Row>(core.models.sequelize, BY_ID, [r.merged_into]))[0] : undefined;
  if (merged) r = merged;
  const via = merged ? { mergedInto: merged.code } : {};
  if (isOpenForBusiness(r.status, 'new')) return { ok: true, ...via };
  const deactivatedAt = r.deactivated_at === null ? null : new Date(r.deactivated_at);
  const shape = {
    code: r.code,
    name: r.name,
    status: r.status,
    deactivationReason: r.deactivation_reason,
    deactivationMemo: r.deactivation_memo,
    deactivatedAt,
  } as unknown as Customer;
  let message = '';
  try {
    assertOpenForBusiness(core, shape, 'new');
  } catch (err) {
    if (!isDomainError(err)) throw err;
    message = err.message;
  }
  const day = (d: Date | null) => {
    if (!d) return null;
    const p = localParts(d, core.config.STEWARD_TIMEZONE);
    return `${p.year}-${p.month}-${p.day}`;
  };
  const inactive = isInactive(r.status);
  return {
    ok: false,
    status: r.status as 'inactive' | 'deleted', // not open for new business (above)
    reason: inactive ? r.deactivation_reason : null,
    since: inactive ? day(deactivatedAt) : null,
    until: inactive && r.reactivate_on ? String(r.reactivate_on).slice(0, 10) : null,
    message: merged ? `${mergedNote(code, merged.code)}。${message}` : message,
    ...via,
  };
}

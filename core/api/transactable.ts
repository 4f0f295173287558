import { QueryTypes } from 'sequelize';
import type { Customer } from '../../models/index.js';
import type { Core } from '../context.js';
import { isDomainError } from '../errors.js';
import { localParts, normalizeCode } from '../customers/codes.js';
import { assertOpenForBusiness } from '../customers/status.js';
import { customerNotFound } from '../customers/view.js';

/** Whether a new order may be saved for a customer: what the ERP asks before it saves one. */
export type Transactable =
  | { ok: true }
  | { ok: false; status: 'inactive' | 'deleted'; reason: string | null; since: string | null; until: string | null; message: string };

interface Row {
  code: string;
  name: string;
  status: Customer['status'];
  deactivation_reason: string | null;
  deactivation_memo: string | null;
  deactivated_at: Date | string | null;
  reactivate_on: string | null;
}

const SQL = 'SELECT code, name, status, deactivation_reason, deactivation_memo, deactivated_at, reactivate_on FROM customers WHERE code = ?';

/** What this needs of a pooled mysql2 connection (callback API, as Sequelize opens them). */
interface MysqlConnection {
  query(sql: string, values: unknown[], cb: (err: Error | null, rows: Row[]) => void): unknown;
}

/**
 * One row by code. On MySQL/MariaDB it borrows a connection from Sequelize's own pool and sends
 * the SELECT directly: Sequelize's query wrapper (a uuid, a captured stack trace, result
 * formatting) costs about as much CPU as the rest of this request. The connection's type casts
 * (Sequelize's, so DATETIME arrives as a Date in its time zone) still apply.
 */
async function readRow(core: Core, code: string): Promise<Row | undefined> {
  const { sequelize } = core.models;
  if (sequelize.getDialect() !== 'mysql') {
    const rows = await sequelize.query<Row>(SQL, { replacements: [code], type: QueryTypes.SELECT, raw: true, logging: false });
    return rows[0];
  }
  const manager = sequelize.connectionManager;
  const conn = (await manager.getConnection({ type: 'read' })) as unknown as MysqlConnection;
  try {
    return await new Promise<Row | undefined>((resolve, reject) => {
      conn.query(SQL, [code], (err, rows) => (err ? reject(err) : resolve(rows[0])));
    });
  } finally {
    manager.releaseConnection(conn as never);
  }
}

/**
 * The 停用 rule for one code, with the same Chinese message core gives when it refuses a new
 * order (assertOpenForBusiness). One raw SELECT of the few columns it needs and no transaction:
 * this is called before every order the ERP saves, so it must cost one round trip and little CPU.
 * Throws CUSTOMER_NOT_FOUND for an unknown code.
 */
export async function checkTransactable(core: Core, rawCode: string): Promise<Transactable> {
  const code = normalizeCode(rawCode);
  const r = await readRow(core, code);
  if (!r) throw customerNotFound(code);
  if (r.status === 'active') return { ok: true };
  const deactivatedAt = r.deactivated_at === null ? null : new Date(r.deactivated_at);
  const shape = { code: r.code, name: r.name, status: r.status, deactivationReason: r.deactivation_reason, deactivationMemo: r.deactivation_memo, deactivatedAt } as unknown as Customer;
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
  const inactive = r.status === 'inactive';
  return {
    ok: false, status: r.status, reason: inactive ? r.deactivation_reason : null, since: inactive ? day(deactivatedAt) : null,
    until: inactive && r.reactivate_on ? String(r.reactivate_on).slice(0, 10) : null, message,
  };
}

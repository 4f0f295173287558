import type { Core } from '../../context.js';
import { chunks } from '../../data/sql.js';

/**
 * Moves customers' lastOrderAt forward to jshERP's newest 销售 / 销售订单 date (as applyLedger
 * stores order dates: the day at 00:00 UTC). Never moves it back: the "only forward" test is in
 * the statement, one UPDATE per 500 customers. jshERP's closed sales are not pushed as documents,
 * so their dates are kept here (core/customers/last-order.ts reads both). Derived data, so not
 * audited. Returns how many customers were looked at.
 */
export async function advanceLastOrderAt(core: Core, byCustomer: Map<number, string>): Promise<number> {
  const rows = [...byCustomer]
    .map(([id, at]) => [id, at.slice(0, 10)] as const)
    .filter(([, day]) => /^\d{4}-\d{2}-\d{2}$/.test(day));
  for (const part of chunks(rows)) {
    const values: unknown[] = [];
    const cases = part.map(([id, day]) => {
      const at = new Date(`${day}T00:00:00Z`);
      values.push(id, at, at);
      return 'WHEN id = ? AND (last_order_at IS NULL OR last_order_at < ?) THEN ?';
    });
    await core.models.sequelize.query(
      `UPDATE customers SET last_order_at = CASE ${cases.join(' ')} ELSE last_order_at END WHERE id IN (${part.map(() => '?').join(',')})`,
      { replacements: [...values, ...part.map(([id]) => id)] },
    );
  }
  return rows.length;
}

import { Op, type Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { formatCode, localParts, nextSequence } from '../customers/codes.js';
import { chunks } from './sql.js';

/** The code-sequence scope nextCustomerCode uses for today. */
function codeScope(core: Core): string {
  const { CODE_SEQ_RESET: reset, STEWARD_TIMEZONE: tz } = core.config;
  return reset === 'yearly' ? `customer-${localParts(core.now(), tz).year}` : 'customer';
}

/**
 * `n` automatic codes in one go, the same numbers nextCustomerCode would hand out one by one:
 * the sequence row is locked once and advanced by `n`, and codes already taken (typed by hand,
 * or in `reserved`) are skipped and replaced.
 */
export async function reserveCustomerCodes(core: Core, t: Transaction, n: number, reserved: Set<string>): Promise<string[]> {
  const out: string[] = [];
  const { CODE_RULE: rule, STEWARD_TIMEZONE: tz } = core.config;
  const scope = codeScope(core);
  const now = core.now();
  for (let round = 0; out.length < n; round++) {
    if (round > 20) throw new Error('could not reserve enough customer codes; check CODE_RULE');
    const want = n - out.length;
    const first = await nextSequence(core, scope, t);
    if (want > 1) await core.models.CodeSequence.increment('nextValue', { by: want - 1, where: { scope }, transaction: t });
    const candidates = Array.from({ length: want }, (_v, i) => formatCode(rule, now, first + i, tz)).filter((c) => !reserved.has(c));
    const taken = new Set<string>();
    for (const part of chunks(candidates)) {
      const rows = await core.models.Customer.findAll({ where: { code: { [Op.in]: part } }, attributes: ['code'], transaction: t });
      for (const r of rows) taken.add(r.code);
    }
    for (const c of candidates) if (!taken.has(c)) out.push(c);
  }
  return out;
}

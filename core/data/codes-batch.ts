import type { Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { customerCodeScope, formatCode, localParts, nextSequence } from '../customers/codes.js';
import { DomainError } from '../errors.js';
import { selectRows } from './sql.js';

const TOKEN = /\{(YYYY|YY|MM|SEQ:(\d))\}/g;

/**
 * formatCode for one moment, with the date parts worked out once (formatCode asks Intl for them
 * on every call, a tenth of a bulk import's code handling). Checked against formatCode itself.
 */
function codeFormatter(core: Core): (seq: number) => string {
  const { CODE_RULE: rule, STEWARD_TIMEZONE: tz } = core.config;
  const now = core.now();
  const { year, month } = localParts(now, tz);
  const fast = (seq: number) => rule.replace(TOKEN, (_m, token: string, width?: string) => {
    if (token === 'YYYY') return year;
    if (token === 'YY') return year.slice(2);
    if (token === 'MM') return month;
    return String(seq).padStart(Number(width), '0');
  });
  return fast(1) === formatCode(rule, now, 1, tz) ? fast : (seq) => formatCode(rule, now, seq, tz);
}

/**
 * `n` automatic codes in one go, the same numbers nextCustomerCode would hand out one by one:
 * the sequence row is locked (until the import commits) and advanced by `n` in one UPDATE, and
 * codes already taken (typed by hand, or in `reserved`) are skipped and replaced.
 */
export async function reserveCustomerCodes(core: Core, t: Transaction, n: number, reserved: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  if (n <= 0) return out;
  const { sequelize } = core.models;
  const scope = customerCodeScope(core);
  const format = codeFormatter(core);
  for (let round = 0; out.length < n; round++) {
    if (round > 20) throw new DomainError('CONFLICT', '自动编码连续多次都已被占用, 请检查编码规则 CODE_RULE。');
    const want = n - out.length;
    const first = await takeRange(core, scope, want, t);
    const candidates: string[] = [];
    for (let i = 0; i < want; i++) {
      const code = format(first + i);
      if (!reserved.has(code)) candidates.push(code);
    }
    const taken = new Set((await selectRows<{ code: string }>(sequelize, 'SELECT code FROM customers WHERE code IN (?)', [candidates.length ? candidates : ['']], t)).map((r) => r.code));
    for (const c of candidates) if (!taken.has(c)) out.push(c);
  }
  return out;
}

/** The first of `n` sequence numbers, taken with one UPDATE (the row lock) and one read. */
async function takeRange(core: Core, scope: string, n: number, t: Transaction): Promise<number> {
  const { sequelize } = core.models;
  await sequelize.query('UPDATE code_sequences SET next_value = next_value + ? WHERE scope = ?', { replacements: [n, scope], transaction: t });
  const [row] = await selectRows<{ next_value: number }>(sequelize, 'SELECT next_value FROM code_sequences WHERE scope = ?', [scope], t);
  if (row) return Number(row.next_value) - n;
  // A scope used for the first time: nextSequence creates the row (and takes number 1).
  const first = await nextSequence(core, scope, t);
  if (n > 1) await sequelize.query('UPDATE code_sequences SET next_value = next_value + ? WHERE scope = ?', { replacements: [n - 1, scope], transaction: t });
  return first;
}

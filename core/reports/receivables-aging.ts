import type { Actor, Core } from '../context.js';
import type { Cents } from '../money.js';
import { assertCan } from '../permissions.js';
import { addDays, localToday } from './periods.js';
import { asCents, asCount, centsOf, select } from './sql.js';

export interface AgingBucket {
  key: '0-30' | '31-90' | '91-180' | '180+';
  label: string;
  count: number;
  outstandingCents: Cents;
}

export interface ReceivablesAging {
  /** Today in the configured zone; ages are whole days past the due date. */
  asOf: string;
  buckets: AgingBucket[];
  totalCents: Cents;
  /** Open receivables not yet due (they are inside the 0–30 bucket). */
  notDueCents: Cents;
}

const BUCKETS: { key: AgingBucket['key']; label: string; minDays: number; maxDays: number | null }[] = [
  { key: '0-30', label: '0–30 天', minDays: -Infinity, maxDays: 30 },
  { key: '31-90', label: '31–90 天', minDays: 31, maxDays: 90 },
  { key: '91-180', label: '91–180 天', minDays: 91, maxDays: 180 },
  { key: '180+', label: '180 天以上', minDays: 181, maxDays: null },
];

/**
 * 应收账龄: open receivables by days past their due date (0–30 / 31–90 / 91–180 / >180),
 * not-yet-due ones counted in 0–30. One pass over the (status, due_date) index.
 */
export async function receivablesAging(core: Core, actor: Actor): Promise<ReceivablesAging> {
  assertCan(actor.operator, 'view');
  const today = localToday(core);
  const outstanding = `(${centsOf('amount')} - ${centsOf('paid')})`;
  const replacements: Record<string, unknown> = { today };
  const cols = BUCKETS.map((b, i) => {
    // days past due = today - due_date, so "at most N days" means due_date >= today - N.
    const conds: string[] = [];
    if (b.maxDays !== null) {
      replacements[`lo${i}`] = addDays(today, -b.maxDays);
      conds.push(`due_date >= :lo${i}`);
    }
    if (Number.isFinite(b.minDays)) {
      replacements[`hi${i}`] = addDays(today, -b.minDays);
      conds.push(`due_date <= :hi${i}`);
    }
    const when = conds.join(' AND ');
    return `SUM(CASE WHEN ${when} THEN 1 ELSE 0 END) AS n${i}, SUM(CASE WHEN ${when} THEN ${outstanding} ELSE 0 END) AS c${i}`;
  });
  const [row] = await select<Record<string, unknown>>(core,
    `SELECT ${cols.join(', ')}, SUM(CASE WHEN due_date > :today THEN ${outstanding} ELSE 0 END) AS notdue FROM receivables WHERE status = 'open'`, replacements);
  const buckets = BUCKETS.map((b, i) => ({ key: b.key, label: b.label, count: asCount(row?.[`n${i}`]), outstandingCents: asCents(row?.[`c${i}`]) }));
  return { asOf: today, buckets, totalCents: buckets.reduce((s, b) => s + b.outstandingCents, 0), notDueCents: asCents(row?.notdue) };
}

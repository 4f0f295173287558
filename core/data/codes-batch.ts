import type { Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { customerCodeScope, formatCode, localParts, takeRange } from '../customers/codes.js';
import { DomainError } from '../errors.js';
import { chunks, selectRows } from './sql.js';

const TOKEN = /\{(YYYY|YY|MM|SEQ:(\d))\}/g;

/**
 * formatCode for one moment, with the date parts worked out once (formatCode asks Intl for them
 * on every call, a tenth of a bulk import's code handling). Checked against formatCode itself.
 */
function codeFormatter(core: Core): (seq: number) => string {
  const { CODE_RULE: rule, STEWARD_TIMEZONE: tz } = core.config;
  const now = core.now();
  const { year, month } = localParts(now, tz);
  const fast = (seq: number) =>
    rule.replace(TOKEN, (_m, token: string, width?: string) => {
      if (token === 'YYYY') return year;
      if (token === 'YY') return year.slice(2);
      if (token === 'MM') return month;
      return String(seq).padStart(Number(width), '0');
    });
  return fast(1) === formatCode(rule, now, 1, tz) && fast(12345) === formatCode(rule, now, 12345, tz)
    ? fast
    : (seq) => formatCode(rule, now, seq, tz);
}

/**
 * Automatic codes for a bulk import, the same numbers nextCustomerCode would hand out one by one.
 * Numbers are reserved `ahead` at a time with one UPDATE of the sequence row, which stays locked
 * until the import commits; codes that already exist, or that the file types by hand
 * (`typed`, which grows as the file is read), are skipped. `release` gives back what was
 * reserved and not handed out, so a committed import leaves no gap.
 */
export class CodeBlock {
  private next = 0;
  private end = 0;
  private taken = new Set<string>();
  private readonly scope: string;
  private readonly format: (seq: number) => string;

  constructor(
    private readonly core: Core,
    private readonly t: Transaction,
    private readonly typed: ReadonlySet<string>,
    private readonly ahead: number,
  ) {
    this.scope = customerCodeScope(core);
    this.format = codeFormatter(core);
  }

  /** The next `n` free automatic codes. */
  async take(n: number): Promise<string[]> {
    const out: string[] = [];
    let skipped = 0;
    while (out.length < n) {
      if (this.next === this.end) await this.reserve(Math.max(n - out.length, this.ahead));
      const code = this.format(this.next++);
      if (!this.taken.has(code) && !this.typed.has(code)) out.push(code);
      else if (++skipped > 10_000)
        throw new DomainError('CONFLICT', '自动编码连续 1 万个都已被占用, 请检查编码规则 CODE_RULE。');
    }
    return out;
  }

  /** Hands back reserved numbers not used (only if nobody could have moved the sequence since: we hold its row). */
  async release(): Promise<void> {
    if (this.next === this.end) return;
    await this.core.models.sequelize.query(
      'UPDATE code_sequences SET next_value = ? WHERE scope = ? AND next_value = ?',
      { replacements: [this.next, this.scope, this.end], transaction: this.t },
    );
    this.end = this.next;
  }

  private async reserve(n: number): Promise<void> {
    const first = await takeRange(this.core, this.scope, n, this.t);
    this.next = first;
    this.end = first + n;
    const candidates = Array.from({ length: n }, (_v, i) => this.format(first + i));
    this.taken = new Set();
    for (const part of chunks(candidates)) {
      for (const r of await selectRows<{ code: string }>(
        this.core.models.sequelize,
        'SELECT code FROM customers WHERE code IN (?)',
        [part],
        this.t,
      ))
        this.taken.add(r.code);
    }
  }
}

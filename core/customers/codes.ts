import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { toHalfWidth } from '../text.js';

const DEFAULT_MANUAL_PATTERN = '^[A-Z0-9-]{2,32}$';
const TOKEN = /\{(YYYY|YY|MM|SEQ:(\d))\}/g;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Calendar parts of `date` in the configured time zone. */
export function localParts(date: Date, timeZone: string): { year: string; month: string; day: string } {
  // Building an Intl.DateTimeFormat costs far more than using one; keep one per zone.
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Fills a rule such as `C{YYYY}{SEQ:4}` for a date and sequence number. */
export function formatCode(rule: string, date: Date, seq: number, timeZone: string): string {
  const { year, month } = localParts(date, timeZone);
  return rule.replace(TOKEN, (_m, token: string, width?: string) => {
    if (token === 'YYYY') return year;
    if (token === 'YY') return year.slice(2);
    if (token === 'MM') return month;
    return String(seq).padStart(Number(width), '0');
  });
}

/** A regex that matches every code the rule can produce (for codeReport). */
export function ruleRegex(rule: string): RegExp {
  let out = '';
  let last = 0;
  for (const m of rule.matchAll(TOKEN)) {
    out += rule.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const token = m[1]!;
    out += token === 'YYYY' ? '\\d{4}' : token === 'YY' || token === 'MM' ? '\\d{2}' : `\\d{${m[2]},}`;
    last = m.index! + m[0].length;
  }
  out += rule.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${out}$`);
}

/** Trimmed, half-width, upper-case: the form codes are stored and compared in. */
export function normalizeCode(input: string): string {
  return toHalfWidth(input).trim().toUpperCase();
}

/** Normalises a hand-typed code and checks it against CODE_MANUAL_PATTERN. */
export function checkManualCode(core: Core, input: string): string {
  const code = normalizeCode(input);
  const pattern = core.config.CODE_MANUAL_PATTERN;
  if (!new RegExp(pattern).test(code)) {
    const rule = pattern === DEFAULT_MANUAL_PATTERN ? `只能用字母、数字和 -, 长度 2–32 位 (规则 ${pattern})` : `须符合格式 ${pattern}`;
    throw new DomainError('CODE_FORMAT', `客户编码「${code}」格式不对: ${rule}。请改正后重试, 或留空自动生成。`, { field: 'code', code, pattern });
  }
  return code;
}

const preparedScopes = new WeakMap<object, Set<string>>();

/**
 * Makes sure a sequence row exists before a transaction needs it (MySQL only, outside any
 * transaction). Creating the row inside many parallel transactions would make InnoDB gap
 * locks deadlock, and creating it on a second connection from inside one could exhaust the
 * pool; done here, while the caller holds no connection, it costs one INSERT IGNORE per scope
 * and process. SQLite needs none of this: its writers are queued, so the row is made inside.
 */
export async function prepareSequence(core: Core, scope: string): Promise<void> {
  const { CodeSequence, sequelize } = core.models;
  if (sequelize.getDialect() === 'sqlite') return;
  const seen = preparedScopes.get(sequelize) ?? new Set<string>();
  preparedScopes.set(sequelize, seen);
  if (seen.has(scope)) return;
  await CodeSequence.bulkCreate([{ scope, nextValue: 1 }], { ignoreDuplicates: true });
  seen.add(scope);
}

/**
 * Takes the next number of a sequence scope inside `t`. The UPDATE takes the row lock first,
 * so parallel creators queue on it instead of reading the same value. A scope used for the
 * first time is created here; should two MySQL transactions race on that, InnoDB picks a
 * deadlock victim and withTransaction retries it (prepareSequence avoids the race).
 */
export async function nextSequence(core: Core, scope: string, t: Transaction): Promise<number> {
  const { CodeSequence, sequelize } = core.models;
  for (let attempt = 0; ; attempt++) {
    await sequelize.query('UPDATE code_sequences SET next_value = next_value + 1 WHERE scope = ?', { replacements: [scope], transaction: t });
    const row = await CodeSequence.findByPk(scope, { transaction: t, lock: t.LOCK.UPDATE });
    if (row) return row.nextValue - 1;
    try {
      await CodeSequence.create({ scope, nextValue: 2 }, { transaction: t });
      return 1;
    } catch (err) {
      // Someone else created it meanwhile: go round once more and take the row they made.
      if (!(err instanceof UniqueConstraintError) || attempt > 0) throw err;
    }
  }
}

/** The sequence scope automatic customer codes draw from now: per year only if the rule shows the year. */
export function customerCodeScope(core: Core): string {
  const { CODE_RULE: rule, CODE_SEQ_RESET: reset, STEWARD_TIMEZONE: tz } = core.config;
  // A yearly reset without {YYYY}/{YY} in the rule would restart at codes that already exist.
  const showsYear = /\{YY(YY)?\}/.test(rule);
  return reset === 'yearly' && showsYear ? `customer-${localParts(core.now(), tz).year}` : 'customer';
}

/** Call before opening the transaction that will take an automatic code (see prepareSequence). */
export async function prepareCustomerCode(core: Core): Promise<void> {
  await prepareSequence(core, customerCodeScope(core));
}

/** The next free automatic code; skips numbers someone already typed by hand. */
export async function nextCustomerCode(core: Core, t: Transaction): Promise<string> {
  const now = core.now();
  const { CODE_RULE: rule, STEWARD_TIMEZONE: tz } = core.config;
  const scope = customerCodeScope(core);
  for (let i = 0; i < 1000; i++) {
    const code = formatCode(rule, now, await nextSequence(core, scope, t), tz);
    const taken = await core.models.Customer.count({ where: { code }, transaction: t });
    if (!taken) return code;
  }
  throw new DomainError('CONFLICT', '自动编码连续 1000 个都已被占用, 请检查编码规则 CODE_RULE。');
}

import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { toHalfWidth } from '../text.js';

const TOKEN = /\{(YYYY|YY|MM|SEQ:(\d))\}/g;

/** Calendar parts of `date` in the configured time zone. */
export function localParts(date: Date, timeZone: string): { year: string; month: string; day: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
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
  if (!new RegExp(core.config.CODE_MANUAL_PATTERN).test(code)) {
    throw new DomainError('CODE_FORMAT', `客户编码「${code}」格式不对: 只能用字母、数字和 -, 长度 2–32 位 (规则 ${core.config.CODE_MANUAL_PATTERN})。请改正后重试, 或留空自动生成。`, { field: 'code', code });
  }
  return code;
}

const knownScopes = new WeakMap<object, Set<string>>();

/**
 * Takes the next number of a sequence scope inside `t`. The UPDATE takes the row lock first,
 * so parallel creators queue on it instead of reading the same value.
 */
export async function nextSequence(core: Core, scope: string, t: Transaction): Promise<number> {
  const { CodeSequence, sequelize } = core.models;
  const seen = knownScopes.get(sequelize) ?? new Set<string>();
  knownScopes.set(sequelize, seen);
  if (!seen.has(scope)) {
    // MySQL: create the row outside the caller's transaction so parallel creators never race
    // on an INSERT (gap locks would deadlock). SQLite has one writer at a time, and a second
    // connection would wait on the caller's own lock, so it stays inside.
    const outside = sequelize.getDialect() !== 'sqlite';
    try {
      if (!(await CodeSequence.findByPk(scope, { transaction: outside ? undefined : t }))) {
        await CodeSequence.create({ scope, nextValue: 1 }, { transaction: outside ? undefined : t });
      }
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) throw err;
    }
    seen.add(scope);
  }
  await CodeSequence.increment('nextValue', { by: 1, where: { scope }, transaction: t });
  const row = await CodeSequence.findByPk(scope, { transaction: t, lock: t.LOCK.UPDATE });
  if (!row) {
    seen.delete(scope);
    throw new Error(`code sequence ${scope} vanished`);
  }
  return row.nextValue - 1;
}

/** The next free automatic code; skips numbers someone already typed by hand. */
export async function nextCustomerCode(core: Core, t: Transaction): Promise<string> {
  const now = core.now();
  const { CODE_RULE: rule, CODE_SEQ_RESET: reset, STEWARD_TIMEZONE: tz } = core.config;
  const scope = reset === 'yearly' ? `customer-${localParts(now, tz).year}` : 'customer';
  for (let i = 0; i < 1000; i++) {
    const code = formatCode(rule, now, await nextSequence(core, scope, t), tz);
    const taken = await core.models.Customer.count({ where: { code }, transaction: t });
    if (!taken) return code;
  }
  throw new DomainError('CONFLICT', '自动编码连续 1000 个都已被占用, 请检查编码规则 CODE_RULE。');
}

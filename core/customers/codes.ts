import { createHash } from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import { withTransaction } from '../../models/tx.js';
import type { Core } from '../context.js';
import { DomainError } from '../errors.js';
import { toHalfWidth } from '../text.js';
import { claimCodeNumber, giveBackCodeNumber, takeFromCodeBlock } from './code-blocks.js';

const DEFAULT_MANUAL_PATTERN = '^[A-Z0-9-]{2,32}$';
const TOKEN = /\{(YYYY|YY|MM|SEQ:(\d))\}/g;

const dayFormats = new Map<string, Intl.DateTimeFormat>();
type LocalDay = { year: string; month: string; day: string };
/** Answers by zone and UTC minute: zone offsets in use are whole minutes, so a minute falls in one local day. */
const days = new Map<string, LocalDay>();
const DAYS_KEPT = 4096;

/** Calendar parts of `date` in the configured time zone. */
export function localParts(date: Date, timeZone: string): LocalDay {
  // formatToParts costs ~10 µs, and a lookup reply asks for today and for the customer's dates:
  // answer repeats (the same minute in the same zone) from what was worked out before.
  const minute = Math.floor(date.getTime() / 60_000);
  const key = `${timeZone}|${minute}`;
  const known = days.get(key);
  if (known) return { ...known };
  // Building an Intl.DateTimeFormat costs far more than using one; keep one per zone.
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const day = { year: get('year'), month: get('month'), day: get('day') };
  if (Number.isFinite(minute)) {
    if (days.size >= DAYS_KEPT) days.clear();
    days.set(key, day);
  }
  return { ...day };
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
    const rule =
      pattern === DEFAULT_MANUAL_PATTERN
        ? `只能用字母、数字和 -, 长度 2–32 位 (规则 ${pattern})`
        : `须符合格式 ${pattern}`;
    throw new DomainError('CODE_FORMAT', `客户编码「${code}」格式不对: ${rule}。请改正后重试, 或留空自动生成。`, {
      field: 'code',
      code,
      pattern,
    });
  }
  return code;
}

const preparedScopes = new WeakMap<object, Set<string>>();

/** A short, stable key for a rule text: sequence scopes are named by it, so each rule counts on its own. */
export function ruleKey(rule: string): string {
  return createHash('sha1').update(rule).digest('hex').slice(0, 10);
}

/** The counter's period for a rule: the year when it resets yearly and shows the year, else ''. */
function periodOf(core: Core, year: string): string {
  const { CODE_RULE: rule, CODE_SEQ_RESET: reset } = core.config;
  // A yearly reset without {YYYY}/{YY} in the rule would restart at codes that already exist.
  return reset === 'yearly' && /\{YY(YY)?\}/.test(rule) ? year : '';
}

/** The scope name of the configured rule's counter for a period: `r<key>` or `r<key>-2026`. */
export function scopeName(rule: string, period: string): string {
  return `r${ruleKey(rule)}${period ? `-${period}` : ''}`;
}

/** The sequence scope automatic customer codes draw from now: the rule's own, per year only if the rule shows the year. */
export function customerCodeScope(core: Core): string {
  return scopeName(core.config.CODE_RULE, periodOf(core, localParts(core.now(), core.config.STEWARD_TIMEZONE).year));
}

/**
 * Hands counters made before sequences were kept per rule (scope `customer` / `customer-2026`,
 * rule NULL) to the configured rule: they counted for the rule in force at the upgrade. Taken only
 * when the last number such a counter gave is a code of this rule, so a rule changed at the same
 * time starts afresh instead of carrying on someone else's count.
 */
export async function adoptLegacySequences(core: Core, t?: Transaction): Promise<void> {
  const { CodeSequence, Customer } = core.models;
  const rule = core.config.CODE_RULE;
  for (const row of await CodeSequence.findAll({ where: { rule: null }, transaction: t })) {
    const m = /^customer(?:-(\d{4}))?$/.exec(row.scope);
    if (!m) continue;
    const period = periodOf(core, m[1] ?? '');
    if ((m[1] ?? '') !== period) continue;
    const last = row.nextValue - 1;
    const when = m[1] ? new Date(`${m[1]}-07-01T00:00:00Z`) : core.now();
    const fits =
      last < 1 ||
      (await Customer.count({
        where: { code: formatCode(rule, when, last, core.config.STEWARD_TIMEZONE) },
        transaction: t,
      })) > 0;
    if (!fits && !/\{MM\}/.test(rule)) continue;
    const scope = scopeName(rule, period);
    if (await CodeSequence.count({ where: { scope }, transaction: t })) continue;
    await core.models.sequelize.query(
      'UPDATE code_sequences SET scope = ?, rule = ?, period = ? WHERE scope = ? AND rule IS NULL',
      { replacements: [scope, rule, period, row.scope], transaction: t },
    );
  }
}

/** The rule and period a scope of the configured rule stands for (for a new counter row). */
function scopeRow(core: Core, scope: string, nextValue: number) {
  const rule = core.config.CODE_RULE;
  const period = scope.startsWith(scopeName(rule, '')) ? scope.slice(scopeName(rule, '').length + 1) : '';
  return { scope, nextValue, rule, period };
}

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
  await adoptLegacySequences(core);
  await CodeSequence.bulkCreate([scopeRow(core, scope, 1)], { ignoreDuplicates: true });
  seen.add(scope);
}

/**
 * Takes the next number of a sequence scope inside `t`. The UPDATE takes the row lock first,
 * so parallel creators queue on it instead of reading the same value. A scope used for the
 * first time is created here; should two MySQL transactions race on that, InnoDB picks a
 * deadlock victim and withTransaction retries it (prepareSequence avoids the race).
 * The number is taken in the caller's transaction: a create that fails gives it back, so a
 * failed create leaves no gap.
 */
export async function nextSequence(core: Core, scope: string, t: Transaction): Promise<number> {
  const { CodeSequence, sequelize } = core.models;
  for (let attempt = 0; ; attempt++) {
    await sequelize.query('UPDATE code_sequences SET next_value = next_value + 1 WHERE scope = ?', {
      replacements: [scope],
      transaction: t,
    });
    const row = await CodeSequence.findByPk(scope, { transaction: t, lock: t.LOCK.UPDATE });
    if (row) return row.nextValue - 1;
    if (attempt === 0) {
      // A legacy counter may be this rule's: adopt it and go round again.
      await adoptLegacySequences(core, t);
      if (await CodeSequence.count({ where: { scope }, transaction: t })) continue;
    }
    try {
      await CodeSequence.create(scopeRow(core, scope, 2), { transaction: t });
      return 1;
    } catch (err) {
      // Someone else created it meanwhile: go round once more and take the row they made.
      if (!(err instanceof UniqueConstraintError) || attempt > 1) throw err;
    }
  }
}

/** The first of `n` sequence numbers, taken inside `t` with one UPDATE (the row lock) and one read. */
export async function takeRange(core: Core, scope: string, n: number, t: Transaction): Promise<number> {
  const { sequelize } = core.models;
  await sequelize.query('UPDATE code_sequences SET next_value = next_value + ? WHERE scope = ?', {
    replacements: [n, scope],
    transaction: t,
  });
  const [row] = await sequelize.query<{ next_value: number }>('SELECT next_value FROM code_sequences WHERE scope = ?', {
    replacements: [scope],
    type: QueryTypes.SELECT,
    transaction: t,
  });
  if (row) return Number(row.next_value) - n;
  // A scope used for the first time: nextSequence creates the row (and takes number 1).
  const first = await nextSequence(core, scope, t);
  if (n > 1)
    await sequelize.query('UPDATE code_sequences SET next_value = next_value + ? WHERE scope = ?', {
      replacements: [n - 1, scope],
      transaction: t,
    });
  return first;
}

/** A number claimed for one create before its transaction (CODE_BLOCK_SIZE > 1), in its scope. */
export interface CodeClaim {
  scope: string;
  seq: number;
}

/** Call before opening the transaction that will take an automatic code (see prepareSequence). */
export async function prepareCustomerCode(core: Core): Promise<void> {
  await prepareSequence(core, customerCodeScope(core));
}

/**
 * prepareCustomerCode, and with CODE_BLOCK_SIZE > 1 one number for this create from the instance's
 * block (code-blocks.ts), to hand to nextCustomerCode; give it back with releaseCustomerCode if the create fails.
 */
export async function claimCustomerCode(core: Core): Promise<CodeClaim | null> {
  const scope = customerCodeScope(core);
  await prepareSequence(core, scope);
  const seq = await claimCodeNumber(core, scope, (n) =>
    withTransaction(core.models.sequelize, (t) => takeRange(core, scope, n, t)),
  );
  return seq === null ? null : { scope, seq };
}

/** Returns the number of a create that failed to the instance's block (see claimCustomerCode). */
export function releaseCustomerCode(core: Core, claim: CodeClaim | null): void {
  if (claim) giveBackCodeNumber(core, claim.scope, claim.seq);
}

/** The next free automatic code, the claimed number first; skips numbers someone already typed by hand. */
export async function nextCustomerCode(core: Core, t: Transaction, claim: CodeClaim | null = null): Promise<string> {
  const now = core.now();
  const { CODE_RULE: rule, STEWARD_TIMEZONE: tz } = core.config;
  const scope = customerCodeScope(core);
  // A claim made just before midnight of 31 December belongs to last year's counter: not used for this year's code.
  let claimed = claim?.scope === scope ? claim.seq : null;
  for (let i = 0; i < 1000; i++) {
    const seq = claimed ?? takeFromCodeBlock(core, scope) ?? (await nextSequence(core, scope, t));
    claimed = null;
    const code = formatCode(rule, now, seq, tz);
    const taken = await core.models.Customer.count({ where: { code }, transaction: t });
    if (!taken) return code;
  }
  throw new DomainError('CONFLICT', '自动编码连续 1000 个都已被占用, 请检查编码规则 CODE_RULE。');
}

/** Where a code sits in the configured rule's sequences, or null when the rule would not produce it. */
export function parseRuleCode(core: Core, code: string): { scope: string; seq: number } | null {
  const rule = core.config.CODE_RULE;
  let out = '';
  let last = 0;
  const parts: string[] = [];
  for (const m of rule.matchAll(TOKEN)) {
    out += rule.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const token = m[1]!;
    parts.push(token.startsWith('SEQ') ? 'SEQ' : token);
    out += token === 'YYYY' ? '(\\d{4})' : token === 'YY' || token === 'MM' ? '(\\d{2})' : `(\\d{${m[2]},})`;
    last = m.index! + m[0].length;
  }
  out += rule.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const hit = new RegExp(`^${out}$`).exec(code);
  if (!hit) return null;
  const value = (token: string) => hit[parts.indexOf(token) + 1];
  const year = value('YYYY') ?? (value('YY') ? `20${value('YY')}` : '');
  const seq = Number(value('SEQ'));
  if (!Number.isSafeInteger(seq) || seq > 2_000_000_000) return null;
  return { scope: scopeName(rule, periodOf(core, year)), seq };
}

/** The code bookkeeping columns for a code made now: how, and where it sits in the rule's sequence. */
export function codeColumns(
  core: Core,
  code: string,
  origin: 'auto' | 'manual' | 'recode',
): { codeOrigin: string; codeScope: string | null; codeSeq: number | null } {
  const at = parseRuleCode(core, code);
  return { codeOrigin: origin, codeScope: at?.scope ?? null, codeSeq: at?.seq ?? null };
}

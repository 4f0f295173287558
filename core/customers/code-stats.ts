import { Op, QueryTypes } from 'sequelize';
import type { CodeSequence } from '../../models/index.js';
import type { Core } from '../context.js';
import { adoptLegacySequences, customerCodeScope, formatCode, ruleKey } from './codes.js';
import { fillCodeColumns } from './code-fill.js';

/** Codes of one rule and year. */
export interface CodeGroup {
  rule: string;
  /** The fixed text before the rule's first token, e.g. C. */
  prefix: string;
  /** The counter's year, '' for a rule that counts on across years. */
  year: string;
  count: number;
  /** The number the counter gives next (null: no counter yet, e.g. codes typed by hand). */
  nextValue: number | null;
  /** Whether this is the rule in force. */
  current: boolean;
}

export type GapReason = 'deleted' | 'purged' | 'merged' | 'recoded' | 'unknown';

/** One number of a sequence that no live customer holds, and why where known. */
export interface GapNumber {
  seq: number;
  code: string | null;
  reason: GapReason;
  /** The customer it went to (merged into, recoded as). */
  to: string | null;
}

/** The gaps of one counter of the current rule. */
export interface SequenceGaps {
  year: string;
  /** How many numbers below the counter no live customer holds. */
  missing: number;
  /** The first of them, with reasons. */
  numbers: GapNumber[];
}

export interface CodeStats {
  rule: string;
  reset: string;
  manualPattern: string;
  /** Codes of customers not deleted (tombstones of merged customers count as deleted). */
  total: number;
  origins: { auto: number; manual: number; recode: number };
  offRule: number;
  groups: CodeGroup[];
  gaps: SequenceGaps[];
  /** The code the rule gives next. */
  next: string;
}

/** Numbers listed per counter; the count covers all of them. */
const GAP_LIST = 20;

const live = "status <> 'deleted'";

async function rows<T extends object>(core: Core, sql: string, replacements: unknown[]): Promise<T[]> {
  return core.models.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
}

/** Live customers' codes, in all and by origin. */
async function countOrigins(core: Core): Promise<{ total: number; origins: CodeStats['origins'] }> {
  const origins = { auto: 0, manual: 0, recode: 0 };
  let total = 0;
  for (const r of await rows<{ o: string | null; n: number }>(
    core,
    `SELECT code_origin AS o, COUNT(*) AS n FROM customers WHERE ${live} GROUP BY code_origin`,
    [],
  )) {
    total += Number(r.n);
    if (r.o === 'auto' || r.o === 'manual' || r.o === 'recode') origins[r.o] += Number(r.n);
  }
  return { total, origins };
}

/** One group per code scope in use (by a counter's rule, or the current rule's key) and per idle counter; current rule first. */
async function codeGroups(core: Core, rule: string, key: string, counters: CodeSequence[]): Promise<CodeGroup[]> {
  const byScope = new Map(counters.map((c) => [c.scope, c]));
  const groups: CodeGroup[] = [];
  const seen = new Set<string>();
  for (const g of await rows<{ s: string; n: number }>(
    core,
    `SELECT code_scope AS s, COUNT(*) AS n FROM customers WHERE ${live} AND code_scope IS NOT NULL GROUP BY code_scope`,
    [],
  )) {
    const counter = byScope.get(g.s);
    const groupRule = counter?.rule ?? (g.s.startsWith(key) ? rule : null);
    if (!groupRule) continue;
    seen.add(g.s);
    groups.push({
      rule: groupRule,
      prefix: prefixOf(groupRule),
      year: counter?.period ?? g.s.slice(key.length + 1),
      count: Number(g.n),
      nextValue: counter?.nextValue ?? null,
      current: groupRule === rule,
    });
  }
  for (const c of counters)
    if (!seen.has(c.scope))
      groups.push({
        rule: c.rule!,
        prefix: prefixOf(c.rule!),
        year: c.period ?? '',
        count: 0,
        nextValue: c.nextValue,
        current: c.rule === rule,
      });
  return groups.sort(
    (a, b) => Number(b.current) - Number(a.current) || a.rule.localeCompare(b.rule) || a.year.localeCompare(b.year),
  );
}

/** Counts per rule, prefix and year; auto vs manual; off-rule; gaps with reasons; the next code. Aggregate queries only. */
export async function codeStats(core: Core): Promise<CodeStats> {
  await adoptLegacySequences(core);
  await fillCodeColumns(core);
  const { CODE_RULE: rule, CODE_SEQ_RESET: reset, CODE_MANUAL_PATTERN: manualPattern } = core.config;
  const key = `r${ruleKey(rule)}`;
  const { total, origins } = await countOrigins(core);
  const [off] = await rows<{ n: number }>(
    core,
    `SELECT COUNT(*) AS n FROM customers WHERE ${live} AND (code_scope IS NULL OR code_scope NOT LIKE ?)`,
    [`${key}%`],
  );
  const counters = await core.models.CodeSequence.findAll({ where: { rule: { [Op.ne]: null } }, raw: true });
  const groups = await codeGroups(core, rule, key, counters);
  const gaps: SequenceGaps[] = [];
  for (const c of counters)
    if (c.rule === rule) gaps.push(await sequenceGaps(core, c.scope, c.period ?? '', c.nextValue));
  const byScope = new Map(counters.map((c) => [c.scope, c]));
  return {
    rule,
    reset,
    manualPattern,
    total,
    origins,
    offRule: Number(off?.n ?? 0),
    groups,
    gaps,
    next: await nextCodePreview(core, byScope.get(customerCodeScope(core))?.nextValue ?? 1),
  };
}

/** The fixed text before a rule's first token. */
export function prefixOf(rule: string): string {
  return rule.split('{')[0] ?? '';
}

/** The code nextCustomerCode would give now (skipping codes already taken), without taking it. */
async function nextCodePreview(core: Core, from: number): Promise<string> {
  const { CODE_RULE: rule, STEWARD_TIMEZONE: tz } = core.config;
  for (let n = from; n < from + 1000; n++) {
    const code = formatCode(rule, core.now(), n, tz);
    if (!(await core.models.Customer.count({ where: { code } }))) return code;
  }
  return formatCode(rule, core.now(), from, tz);
}

/** Numbers below the counter no live customer holds (gaps and islands on the (code_scope, code_seq) index). */
async function sequenceGaps(core: Core, scope: string, year: string, nextValue: number): Promise<SequenceGaps> {
  const top = nextValue - 1;
  const [held] = await rows<{ n: number }>(
    core,
    `SELECT COUNT(DISTINCT code_seq) AS n FROM customers WHERE code_scope = ? AND code_seq BETWEEN 1 AND ? AND ${live}`,
    [scope, top],
  );
  const missing = Math.max(0, top - Number(held?.n ?? 0));
  const numbers: number[] = [];
  if (missing) {
    const starts = await rows<{ s: number }>(
      core,
      `SELECT c.code_seq AS s FROM customers c WHERE c.code_scope = ? AND c.code_seq < ? AND c.${live}
      AND NOT EXISTS (SELECT 1 FROM customers d WHERE d.code_scope = c.code_scope AND d.code_seq = c.code_seq + 1 AND d.${live}) ORDER BY c.code_seq LIMIT ${GAP_LIST}`,
      [scope, top],
    );
    const [first] = await rows<{ m: number | null }>(
      core,
      `SELECT MIN(code_seq) AS m FROM customers WHERE code_scope = ? AND code_seq >= 1 AND ${live}`,
      [scope],
    );
    const from = [...(first?.m == null || Number(first.m) > 1 ? [0] : []), ...starts.map((s) => Number(s.s))];
    for (const s of from) {
      const [end] = await rows<{ m: number | null }>(
        core,
        `SELECT MIN(code_seq) AS m FROM customers WHERE code_scope = ? AND code_seq > ? AND ${live}`,
        [scope, s],
      );
      const last = Math.min(end?.m == null ? top : Number(end.m) - 1, top);
      for (let n = s + 1; n <= last && numbers.length < GAP_LIST; n++) numbers.push(n);
      if (numbers.length >= GAP_LIST) break;
    }
  }
  return { year, missing, numbers: await gapReasons(core, scope, year, numbers) };
}

/** Why each number is free: a deleted or merged customer still holds it, or its code is an alias, or the recycle bin purged it. */
async function gapReasons(core: Core, scope: string, year: string, numbers: number[]): Promise<GapNumber[]> {
  if (!numbers.length) return [];
  const { Customer, CustomerAlias, RecycleEntry } = core.models;
  const holders = await Customer.findAll({
    where: { codeScope: scope, codeSeq: numbers },
    attributes: ['code', 'codeSeq', 'mergedInto'],
    raw: true,
  });
  const survivors = await Customer.findAll({
    where: { id: holders.map((h) => h.mergedInto).filter((id): id is number => !!id) },
    attributes: ['id', 'code'],
    raw: true,
  });
  // Without {MM} a number has exactly one code; with it, only the holders above can say.
  const guess = /\{MM\}/.test(core.config.CODE_RULE)
    ? null
    : (n: number) =>
        formatCode(
          core.config.CODE_RULE,
          new Date(`${year || core.now().getUTCFullYear()}-07-01T00:00:00Z`),
          n,
          core.config.STEWARD_TIMEZONE,
        );
  const codes = guess ? numbers.map(guess) : [];
  const aliases = await CustomerAlias.findAll({
    where: { code: codes, mergeId: null },
    attributes: ['code', 'customerId'],
    raw: true,
  });
  const aliasTo = await Customer.findAll({
    where: { id: aliases.map((a) => a.customerId) },
    attributes: ['id', 'code'],
    raw: true,
  });
  const purged = new Set(
    (await RecycleEntry.findAll({ where: { customerCode: codes }, attributes: ['customerCode'], raw: true })).map(
      (r) => r.customerCode,
    ),
  );
  return numbers.map((n) => {
    const h = holders.find((x) => x.codeSeq === n);
    if (h)
      return {
        seq: n,
        code: h.code,
        reason: h.mergedInto ? 'merged' : 'deleted',
        to: survivors.find((s) => s.id === h.mergedInto)?.code ?? null,
      };
    const code = guess ? guess(n) : null;
    const alias = aliases.find((a) => a.code === code);
    if (alias)
      return { seq: n, code, reason: 'recoded', to: aliasTo.find((c) => c.id === alias.customerId)?.code ?? null };
    return { seq: n, code, reason: code && purged.has(code) ? 'purged' : 'unknown', to: null };
  });
}

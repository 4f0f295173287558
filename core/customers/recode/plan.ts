import { Op, type Transaction } from 'sequelize';
import type { RecodeRow } from '../../../models/index.js';
import type { Core } from '../../context.js';
import { DomainError } from '../../errors.js';
import { normalizeCode, ruleRegex } from '../codes.js';
import { isDeleted } from '../lifecycle.js';

/** One line asked for: the old code and the new one, with its sheet row number when from a file. */
export interface RecodePair {
  rowNo?: number;
  from: string;
  to: string;
  /** The line's own reason (a sheet's third column, 原因), if any. */
  reason?: string;
}

/** A line that cannot be done, and why (naming the other row it clashes with). */
export interface RecodeProblem {
  rowNo: number | null;
  from: string;
  to: string;
  message: string;
}

/** What a recode would do: the rows that are fine, and every problem. Nothing is written. */
export interface RecodePlan {
  rows: Array<RecodeRow & { rowNo: number | null; name: string; orders: number; ownerId: number | null }>;
  problems: RecodeProblem[];
}

/** Most lines one request may carry (a sheet of a company's whole customer list fits). */
export const MAX_RECODE_ROWS = 5000;

/** A line's own reason, trimmed and cut to what a request keeps; undefined when blank. */
function rowReason(text: string | undefined): string | undefined {
  const r = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return r ? r.slice(0, 200) : undefined;
}

const where = (rowNo: number | null | undefined) => (rowNo ? `第 ${rowNo} 行` : '');

/** Why a new code is not acceptable, or null: it must fit CODE_RULE or CODE_MANUAL_PATTERN. */
export function newCodeProblem(core: Core, code: string): string | null {
  const { CODE_RULE: rule, CODE_MANUAL_PATTERN: manual } = core.config;
  if (!code) return '新编码为空';
  if (code.length > 32) return `新编码「${code}」超过 32 位`;
  if (ruleRegex(rule).test(code) || new RegExp(manual).test(code)) return null;
  return `新编码「${code}」既不符合编码规则 ${rule}, 也不符合手工编码格式 ${manual}`;
}

function assertPairCount(pairs: RecodePair[]): void {
  if (!pairs.length)
    throw new DomainError('VALIDATION', '没有要改的编码: 请给出 旧编码 和 新编码 (表格两列: 旧编码, 新编码)。', {
      field: 'rows',
    });
  if (pairs.length > MAX_RECODE_ROWS)
    throw new DomainError(
      'VALIDATION',
      `一次最多改 ${MAX_RECODE_ROWS} 个编码, 这次有 ${pairs.length} 个。请分批提交。`,
      { field: 'rows' },
    );
}

interface Line {
  rowNo: number | null;
  from: string;
  to: string;
  reason: string | undefined;
}

/** What the database says about the lines' codes: the customers, the holders and aliases of the new codes, pending requests. */
async function loadKnown(core: Core, lines: Line[], t?: Transaction) {
  const { Customer, CustomerAlias, CustomerRecode } = core.models;
  const froms = [...new Set(lines.map((l) => l.from).filter(Boolean))];
  const tos = [...new Set(lines.map((l) => l.to).filter(Boolean))];
  const customers = await Customer.findAll({
    where: { code: froms },
    attributes: ['id', 'code', 'name', 'status', 'mergedInto', 'ownerId'],
    transaction: t,
  });
  const holders = await Customer.findAll({ where: { code: tos }, attributes: ['id', 'code', 'name'], transaction: t });
  const aliases = await CustomerAlias.findAll({
    where: { code: tos },
    attributes: ['code', 'customerId'],
    transaction: t,
  });
  const aliasOwners = await Customer.findAll({
    where: { id: aliases.map((a) => a.customerId) },
    attributes: ['id', 'code'],
    transaction: t,
  });
  const pending = await CustomerRecode.findAll({
    where: { status: 'pending', expiresAt: { [Op.gt]: core.now() } },
    attributes: ['id', 'rows'],
    transaction: t,
  });
  const pendingByCode = new Map<string, number>();
  for (const p of pending)
    for (const r of JSON.parse(p.rows) as RecodeRow[]) for (const c of [r.from, r.to]) pendingByCode.set(c, p.id);
  return { customers, holders, aliases, aliasOwners, pendingByCode };
}

type Known = Awaited<ReturnType<typeof loadKnown>>;

/** Where each old and new code was first accepted in this batch (row number). */
interface Seen {
  firstFrom: Map<string, number | null>;
  firstTo: Map<string, number | null>;
}

/** The live customer an old code names, or why it cannot be recoded. */
function lineCustomer(known: Known, l: Line): Known['customers'][number] | string {
  if (!l.from) return '旧编码为空';
  const c = known.customers.find((x) => x.code.toUpperCase() === l.from);
  if (!c) return `找不到编码为「${l.from}」的客户`;
  if (c.mergedInto || isDeleted(c.status)) return `客户 ${l.from} 已删除或已并入其他客户, 不能改编码`;
  return c;
}

/** Why the line does not fit the rules or the rest of this batch, or null. */
function batchProblem(core: Core, lines: Line[], l: Line, seen: Seen): string | null {
  const other = (map: Map<string, number | null>, code: string) =>
    map.has(code) ? (map.get(code) ?? null) : undefined;
  const bad = newCodeProblem(core, l.to);
  if (bad) return `${bad}。`;
  if (l.to === l.from) return `新编码与旧编码相同 (${l.from})`;
  const dupFrom = other(seen.firstFrom, l.from);
  if (dupFrom !== undefined) return `旧编码 ${l.from} 在第 ${dupFrom} 行已经出现过, 每个客户只能改一次`;
  const dupTo = other(seen.firstTo, l.to);
  if (dupTo !== undefined) return `新编码 ${l.to} 与第 ${dupTo} 行的新编码重复`;
  const chained = lines.findIndex((x) => x.from === l.to);
  if (chained >= 0)
    return `新编码 ${l.to} 本身也在这次要改掉的旧编码里 (第 ${lines[chained]!.rowNo ?? chained + 1} 行); 请分两次改`;
  return null;
}

/** Why the new code is taken outside this batch (a customer's code, an alias, a pending request), or null. */
function takenProblem(known: Known, l: Line): string | null {
  const holder = known.holders.find((x) => x.code.toUpperCase() === l.to);
  if (holder) return `新编码 ${l.to} 已是客户 ${holder.code} (${holder.name}) 的编码`;
  const alias = known.aliases.find((a) => a.code.toUpperCase() === l.to);
  if (alias)
    return `新编码 ${l.to} 是客户 ${known.aliasOwners.find((o) => o.id === alias.customerId)?.code ?? '#' + alias.customerId} 的旧编码 (别名), 旧单据仍用它查找, 不能再分配`;
  const busy = known.pendingByCode.get(l.from) ?? known.pendingByCode.get(l.to);
  if (busy) return `${l.from} 或 ${l.to} 已在待审批的改编码申请 #${busy} 里`;
  return null;
}

/** Each planned row's order count (shown beside it), in one grouped query. */
async function countOrders(core: Core, plan: RecodePlan, t?: Transaction): Promise<void> {
  const ids = plan.rows.map((r) => r.customerId);
  const counts = ids.length
    ? ((await core.models.SalesOrder.count({
        where: { customerId: ids },
        group: ['customerId'],
        transaction: t,
      })) as unknown as Array<{ customerId: number; count: number }>)
    : [];
  for (const r of plan.rows) r.orders = Number(counts.find((x) => x.customerId === r.customerId)?.count ?? 0);
}

/**
 * Checks every line against the database and the other lines: the old code must be a live
 * customer's, the new code must follow the rules and be free — not another customer's code, not
 * an alias (an old code that still resolves), not another line's new code, not in a pending request.
 */
export async function planRecode(core: Core, pairs: RecodePair[], t?: Transaction): Promise<RecodePlan> {
  assertPairCount(pairs);
  const lines: Line[] = pairs.map((p) => ({
    rowNo: p.rowNo ?? null,
    from: normalizeCode(p.from ?? ''),
    to: normalizeCode(p.to ?? ''),
    reason: rowReason(p.reason),
  }));
  const known = await loadKnown(core, lines, t);
  const plan: RecodePlan = { rows: [], problems: [] };
  const seen: Seen = { firstFrom: new Map(), firstTo: new Map() };
  lines.forEach((l, i) => {
    const c = lineCustomer(known, l);
    const message = typeof c === 'string' ? c : (batchProblem(core, lines, l, seen) ?? takenProblem(known, l));
    if (message !== null || typeof c === 'string') {
      plan.problems.push({
        rowNo: l.rowNo,
        from: l.from,
        to: l.to,
        message: `${where(l.rowNo)}${where(l.rowNo) ? ': ' : ''}${message}`,
      });
      return;
    }
    const ref = l.rowNo ?? i + 1;
    seen.firstFrom.set(l.from, ref);
    seen.firstTo.set(l.to, ref);
    plan.rows.push({
      customerId: c.id,
      from: c.code,
      to: l.to,
      ...(l.reason ? { reason: l.reason } : {}),
      rowNo: l.rowNo,
      name: c.name,
      orders: 0,
      ownerId: c.ownerId ?? null,
    });
  });
  await countOrders(core, plan, t);
  return plan;
}

/** Refuses a plan with problems, listing them (the first 20). */
export function assertPlanClean(plan: RecodePlan): void {
  if (!plan.problems.length) return;
  const list = plan.problems
    .slice(0, 20)
    .map((p) => `• ${p.message}`)
    .join('\n');
  const more = plan.problems.length > 20 ? `\n… 另有 ${plan.problems.length - 20} 处` : '';
  throw new DomainError(
    'VALIDATION',
    `有 ${plan.problems.length} 处不能改, 整批都没有提交:\n${list}${more}\n请改正后重新提交。`,
    { problems: plan.problems },
  );
}

import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { ownerNames } from '../customers/ownership.js';
import { assertCan } from '../permissions.js';
import { customerAnalysis, type CustomerAnalysis } from './customer-analysis.js';
import { checkDate, checkMonth } from './filters.js';
import { receivablesAging, type ReceivablesAging } from './receivables-aging.js';
import { salesByMonth, type SalesByMonth } from './sales-by-month.js';
import { select } from './sql.js';

/** The reports the back office shows on demand (the same figures as the monthly chat push). */
export const REPORT_KINDS = ['sales', 'aging', 'customers'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_TITLES: Record<ReportKind, string> = {
  sales: '月度销售',
  aging: '应收账龄',
  customers: '客户分析',
};

/** What a person can choose: a month range (月度销售), an as-of date (应收账龄), an owner (all three). */
export interface ReportParams {
  from?: string;
  to?: string;
  asOf?: string;
  ownerId?: number;
}

export type ReportData =
  | { kind: 'sales'; sales: SalesByMonth }
  | { kind: 'aging'; aging: ReceivablesAging }
  | { kind: 'customers'; analysis: CustomerAnalysis };

/** A report as computed, with the chosen filters said in Chinese. */
export type Report = ReportData & { title: string; params: ReportParams; ownerName: string | null; filterText: string };

export function isReportKind(value: unknown): value is ReportKind {
  return typeof value === 'string' && (REPORT_KINDS as readonly string[]).includes(value);
}

const text = (v: unknown) =>
  typeof v === 'string' ? v.trim() : Array.isArray(v) && typeof v[0] === 'string' ? v[0].trim() : '';

/** A door's loose fields (query string or form) as checked parameters; blanks mean "not chosen". */
export function reportParams(raw: Record<string, unknown>): ReportParams {
  const out: ReportParams = {};
  const from = text(raw.from);
  const to = text(raw.to);
  const asOf = text(raw.asOf);
  const owner = text(raw.ownerId);
  if (from) out.from = checkMonth(from, 'from');
  if (to) out.to = checkMonth(to, 'to');
  if (asOf) out.asOf = checkDate(asOf, 'asOf');
  if (owner) {
    if (!/^[1-9]\d{0,9}$/.test(owner))
      throw new DomainError('VALIDATION', '输入有误 — 所选负责人不存在, 请重新选择', {
        errors: [{ field: 'ownerId', message: '所选负责人不存在' }],
      });
    out.ownerId = Number(owner);
  }
  return out;
}

/** Operators who own at least one customer, by name: the choices of the 负责人 filter. */
export async function reportOwners(core: Core, actor: Actor): Promise<{ id: number; name: string }[]> {
  assertCan(actor.operator, 'view');
  const rows = await select<{ id: unknown; name: unknown }>(
    core,
    'SELECT o.id AS id, o.display_name AS name FROM operators o WHERE o.id IN (SELECT DISTINCT owner_id FROM customers WHERE owner_id IS NOT NULL) ORDER BY o.display_name',
    {},
  );
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

function filterText(data: ReportData, ownerName: string | null): string {
  const owner = `负责人: ${ownerName ?? '全部'}`;
  if (data.kind === 'sales') {
    const m = data.sales.months;
    return `${m[0]!.month} 至 ${m[m.length - 1]!.month} · ${owner}`;
  }
  if (data.kind === 'aging') return `账龄计算到 ${data.aging.asOf} (未收金额为当前余额) · ${owner}`;
  const s = data.analysis.sales12m;
  return `销售统计 ${s.from} 至 ${s.to} · ${owner}`;
}

/** Computes one report with the core functions the monthly push uses; the figures a page shows and an export writes. */
export async function runReport(core: Core, actor: Actor, kind: ReportKind, params: ReportParams): Promise<Report> {
  assertCan(actor.operator, 'view');
  const ownerName =
    params.ownerId === undefined ? null : (await ownerNames(core, [params.ownerId])).get(params.ownerId);
  if (ownerName === undefined)
    throw new DomainError('VALIDATION', '输入有误 — 所选负责人不存在, 请重新选择', {
      errors: [{ field: 'ownerId', message: '所选负责人不存在' }],
    });
  const owner = params.ownerId === undefined ? {} : { ownerId: params.ownerId };
  let data: ReportData;
  if (kind === 'sales')
    data = {
      kind,
      sales: await salesByMonth(core, actor, {
        ...owner,
        ...(params.from ? { from: params.from } : {}),
        ...(params.to ? { to: params.to } : {}),
      }),
    };
  else if (kind === 'aging')
    data = {
      kind,
      aging: await receivablesAging(core, actor, { ...owner, ...(params.asOf ? { asOf: params.asOf } : {}) }),
    };
  else data = { kind, analysis: await customerAnalysis(core, actor, { ...owner, months: 12 }) };
  return { ...data, title: REPORT_TITLES[kind], params, ownerName, filterText: filterText(data, ownerName) };
}

import type { LedgerSource } from '../../models/index.js';
import type { Core } from '../context.js';
import { localTime } from '../deletion/approvals.js';
import { select } from '../reports/sql.js';

/** One source's feed as ledger_feeds (or, for older local data, the orders themselves) tell it. */
export interface FeedState {
  source: LedgerSource;
  lastReceivedAt: Date | null;
  lastOrderReceivedAt: Date | null;
  documents: number;
}

/** Whether 进销存 data is flowing, for the review, the reports, /healthz and the dashboard. */
export interface LedgerFreshness {
  /** The source of the newest document received, or null when nothing ever arrived. */
  source: LedgerSource | null;
  lastReceivedAt: Date | null;
  lastOrderReceivedAt: Date | null;
  /** Whether any order exists at all (local or received). */
  hasOrders: boolean;
  /** The review window the staleness is judged against (REVIEW_INACTIVE_DAYS by default). */
  days: number;
  /** No order ever, or none received within `days`: the review must not flag anyone. */
  stale: boolean;
  /** 「尚未接入进销存订单数据」 or 「最近 N 天没有收到订单数据」, null when fresh. */
  notice: string | null;
  feeds: FeedState[];
}

export const NO_LEDGER_NOTICE = '尚未接入进销存订单数据';

/** The Chinese notice for a stale feed of `days`. */
export function staleNotice(days: number): string {
  return `最近 ${days} 天没有收到订单数据`;
}

/** A DATETIME from either driver: a Date (MySQL), or SQLite's text with its offset. */
function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  return new Date(/([zZ]|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
}
const later = (a: Date | null, b: Date | null): Date | null => (!a ? b : !b ? a : a > b ? a : b);

/**
 * Local orders made before the local feed row existed (demo data, tests, an upgrade) count as
 * a feed too: the newest local order's created/updated time. Read only when no feed has a row.
 */
async function legacyLocal(core: Core): Promise<FeedState | null> {
  const [row] = await select<{ createdAt: unknown; updatedAt: unknown }>(
    core,
    "SELECT created_at AS createdAt, updated_at AS updatedAt FROM sales_orders WHERE source = 'local' ORDER BY id DESC LIMIT 1",
    {},
  );
  if (!row) return null;
  const at = later(toDate(row.createdAt), toDate(row.updatedAt));
  return { source: 'local', lastReceivedAt: at, lastOrderReceivedAt: at, documents: 0 };
}

/** The feed that received a document last, or null when none ever did. */
function lastReceiving(feeds: FeedState[]): FeedState | null {
  let newest: FeedState | null = null;
  for (const f of feeds) {
    if (f.lastReceivedAt && (!newest?.lastReceivedAt || f.lastReceivedAt > newest.lastReceivedAt)) newest = f;
  }
  return newest;
}

/** Reads ledger_feeds (+ whether any order exists) and judges it against the review window. */
export async function ledgerFreshness(core: Core, opts: { days?: number } = {}): Promise<LedgerFreshness> {
  const days = opts.days ?? core.config.REVIEW_INACTIVE_DAYS;
  const rows = await core.models.LedgerFeed.findAll();
  const feeds: FeedState[] = rows.map((r) => ({
    source: r.source,
    lastReceivedAt: toDate(r.lastReceivedAt),
    lastOrderReceivedAt: toDate(r.lastOrderReceivedAt),
    documents: Number(r.documents ?? 0),
  }));
  const [any] = await select<{ one: unknown }>(core, 'SELECT 1 AS one FROM sales_orders LIMIT 1', {});
  const hasOrders = !!any;
  // Only with no feed row at all: the backwards scan for a local order must stay one row long.
  if (hasOrders && !feeds.length) {
    const local = await legacyLocal(core);
    if (local) feeds.push(local);
  }
  const newest = lastReceiving(feeds);
  const lastOrderReceivedAt = feeds.reduce<Date | null>((at, f) => later(at, f.lastOrderReceivedAt), null);
  const cutoff = core.now().getTime() - days * 86400_000;
  const stale = !hasOrders || !lastOrderReceivedAt || lastOrderReceivedAt.getTime() < cutoff;
  const notice = !hasOrders ? NO_LEDGER_NOTICE : stale ? staleNotice(days) : null;
  return {
    source: newest?.source ?? null,
    lastReceivedAt: newest?.lastReceivedAt ?? null,
    lastOrderReceivedAt,
    hasOrders,
    days,
    stale,
    notice,
    feeds,
  };
}

/** The freshness as JSON for /healthz and the dashboard (ISO times). */
export function freshnessJson(f: LedgerFreshness): {
  source: string | null;
  lastReceivedAt: string | null;
  lastOrderReceivedAt: string | null;
  stale: boolean;
  notice: string | null;
} {
  return {
    source: f.source,
    lastReceivedAt: f.lastReceivedAt?.toISOString() ?? null,
    lastOrderReceivedAt: f.lastOrderReceivedAt?.toISOString() ?? null,
    stale: f.stale,
    notice: f.notice,
  };
}

const SOURCE_LABELS: Record<string, string> = {
  local: '本系统录入',
  api: 'ERP 推送 (API)',
  file: '文件导入',
  jsherp: 'jshERP 同步',
};

/** One Chinese line on the feed, for 统计, the monthly report and the dashboard. */
export function freshnessLine(core: Core, f: LedgerFreshness): string {
  const last = f.lastReceivedAt
    ? `最近收到单据 ${localTime(core, f.lastReceivedAt)} (来源: ${SOURCE_LABELS[f.source ?? ''] ?? f.source})`
    : '尚未收到任何单据';
  if (f.notice) return `⚠️ ${f.notice}: 不活跃客户审查暂停, 不标记任何客户。${f.lastReceivedAt ? last : ''}`.trim();
  return `进销存数据: ${last}, 最近订单 ${f.lastOrderReceivedAt ? localTime(core, f.lastOrderReceivedAt) : '—'}。`;
}

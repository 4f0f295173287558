import { Op, type InferCreationAttributes, type Transaction } from 'sequelize';
import type { DeletionCheck, LedgerEvent } from '../../models/index.js';
import type { Actor, Core } from '../context.js';
import type { Blocker, BlockerDoc } from '../deletion/precheck.js';
import { localTime } from '../deletion/approvals.js';
import { formatYuan, toCents } from '../money.js';

export type CheckStage = 'precheck' | 'request' | 'approval';

/** One check as the record shows it. */
export interface HandlingCheck {
  at: string;
  stage: CheckStage;
  door: string;
  operatorName: string;
  blockers: Blocker[];
}

/** How one blocking document changed: what, by whom, through which door or ERP push, when. */
export interface HandlingChange {
  docType: string;
  docNumber: string;
  change: string;
  /** Chinese: 已取消, 已完成, 已收款 ¥300.00, 已释放, … */
  what: string;
  actorName: string;
  door: string;
  source: string;
  /** Chinese: 后台, 企业微信, ERP 推送 (api), … */
  via: string;
  at: string;
}

/** 关联数据处理记录: the blockers at each check, how each cleared, and the requester's note. */
export interface HandlingRecord {
  customerId: number;
  builtAt: string;
  since: string | null;
  checks: HandlingCheck[];
  changes: HandlingChange[];
  requesterNote: string | null;
  /** The same, as Chinese lines in time order, ready for chat and pages. */
  lines: string[];
}

export const DOOR_NAMES: Record<string, string> = {
  wecom: '企业微信',
  dingtalk: '钉钉',
  feishu: '飞书',
  page: '审批页面',
  admin: '后台',
  job: '定时任务',
  cli: '命令行',
  api: 'API',
};
const SOURCE_NAMES: Record<string, string> = {
  api: 'ERP 推送 (api)',
  file: '文件导入 (file)',
  jsherp: 'jshERP 同步 (jsherp)',
};
const STAGE_NAMES: Record<CheckStage, string> = {
  precheck: '删除前检查',
  request: '提交申请时检查',
  approval: '审批时复查',
};
const DOC_NAMES: Record<string, string> = { order: '订单', receivable: '应收款', reservation: '库存预留' };
const CHANGE_NAMES: Record<string, string> = {
  cancelled: '已取消',
  closed: '已关闭',
  completed: '已完成',
  released: '已释放',
  deleted: '已删除',
  reopened: '重新打开',
  created: '新建',
  updated: '已更新',
  paid: '已收款',
};

/** Through which door, or which ERP feed, a change came. */
export function viaName(source: string, door: string): string {
  return source !== 'local' ? (SOURCE_NAMES[source] ?? `${source} 同步`) : (DOOR_NAMES[door] ?? door);
}

function parse(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What changed, in Chinese; a payment names the amount received (after.paid - before.paid). */
function whatChanged(e: Pick<LedgerEvent, 'change' | 'before' | 'after'>): string {
  try {
    return paymentText(parse(e.before), parse(e.after), e.change) ?? CHANGE_NAMES[e.change] ?? e.change;
  } catch {
    // An amount the money helpers refuse (another system's history): name the change only.
    return CHANGE_NAMES[e.change] ?? e.change;
  }
}

function paymentText(before: Record<string, unknown>, after: Record<string, unknown>, change: string): string | null {
  if (
    change === 'paid' ||
    (before.paid !== undefined &&
      after.paid !== undefined &&
      toCents(after.paid as string) !== toCents(before.paid as string))
  ) {
    const cents =
      toCents((after.paid as string | number | undefined) ?? 0) -
      toCents((before.paid as string | number | undefined) ?? 0);
    const settled = after.status === 'paid' || after.status === 'closed' ? ', 已结清' : '';
    return cents > 0 ? `已收款 ${formatYuan(cents)}${settled}` : `已收款${settled}`;
  }
  return null;
}

type CheckInput = {
  customerId: number;
  customerCode: string;
  stage: CheckStage;
  blockers: Blocker[];
  requestId?: number | null;
};
type CheckRow = Omit<InferCreationAttributes<DeletionCheck>, 'id'>;

function checkRow(core: Core, actor: Actor, c: CheckInput): CheckRow {
  return {
    customerId: c.customerId,
    customerCode: c.customerCode,
    at: core.now(),
    operatorId: actor.operator.id,
    operatorName: actor.operator.displayName,
    door: actor.door,
    stage: c.stage,
    blockers: JSON.stringify(c.blockers),
    requestId: c.requestId ?? null,
  };
}

/** Records one delete check with its blockers (one INSERT), inside `t` when given. */
export async function recordCheck(core: Core, actor: Actor, c: CheckInput, t?: Transaction): Promise<DeletionCheck> {
  return core.models.DeletionCheck.create(checkRow(core, actor, c), { transaction: t });
}

interface Behind {
  rows: CheckRow[];
  running: Promise<void> | null;
}
const behind = new WeakMap<Core, Behind>();

async function drain(core: Core, q: Behind): Promise<void> {
  while (q.rows.length) {
    const batch = q.rows.splice(0);
    try {
      await core.models.DeletionCheck.bulkCreate(batch);
    } catch (err) {
      core.logger.warn({ err: (err as Error).message, rows: batch.length }, 'deletion checks not recorded');
    }
  }
  q.running = null;
}

/**
 * Records a pre-check behind its answer: the INSERT's commit waits on the disk (~5 ms on
 * MariaDB), more than the whole read-only pre-check may take. Rows queue in order and go in
 * one multi-row INSERT per round; flushChecks waits for them (request and approval do).
 */
export function recordCheckBehind(core: Core, actor: Actor, c: CheckInput): void {
  let q = behind.get(core);
  if (!q) behind.set(core, (q = { rows: [], running: null }));
  q.rows.push(checkRow(core, actor, c));
  q.running ??= drain(core, q);
}

/** Waits until every pre-check recorded behind its answer is written. */
export async function flushChecks(core: Core): Promise<void> {
  const q = behind.get(core);
  while (q?.running) await q.running;
}

/** The start of the current deletion attempt: when the customer's previous request was decided. */
export async function attemptStart(
  core: Core,
  customerId: number,
  t?: Transaction,
  excludeRequestId?: number,
): Promise<Date | null> {
  const where = {
    customerId,
    decidedAt: { [Op.ne]: null },
    ...(excludeRequestId ? { id: { [Op.ne]: excludeRequestId } } : {}),
  };
  const prev = await core.models.ApprovalRequest.findOne({ where, order: [['decidedAt', 'DESC']], transaction: t });
  return prev?.decidedAt ?? null;
}

const signature = (blockers: Blocker[]) =>
  JSON.stringify(blockers.map((b) => [b.kind, b.count, b.amountCents ?? null, b.quantity ?? null]));

/** The checks worth showing: every request and approval check, and a precheck only when it found something new. */
function shownChecks(rows: DeletionCheck[]): HandlingCheck[] {
  const out: HandlingCheck[] = [];
  let last = '';
  for (const r of rows) {
    const blockers = JSON.parse(r.blockers) as Blocker[];
    const sig = signature(blockers);
    if (r.stage === 'precheck' && sig === last) continue;
    last = sig;
    out.push({ at: r.at.toISOString(), stage: r.stage, door: r.door, operatorName: r.operatorName, blockers });
  }
  return out.slice(-30);
}

/**
 * Builds the 关联数据处理记录 of a customer since `since`: each check's blockers (with amounts
 * and numbers), then how each blocking document changed according to ledger_events, by whom and
 * through which door or ERP feed, plus the requester's note.
 */
export async function buildHandlingRecord(
  core: Core,
  customerId: number,
  since: Date | null,
  opts: { requesterNote?: string | null; transaction?: Transaction } = {},
): Promise<HandlingRecord> {
  const t = opts.transaction;
  const after = since ? { [Op.gte]: since } : { [Op.ne]: null };
  const rows = await core.models.DeletionCheck.findAll({
    where: { customerId, at: after },
    order: [
      ['at', 'ASC'],
      ['id', 'ASC'],
    ],
    transaction: t,
  });
  const checks = shownChecks(rows);
  const docs = new Map<string, BlockerDoc>();
  for (const c of checks)
    for (const b of c.blockers) for (const d of b.docs ?? []) docs.set(`${d.type}:${d.number}`, d);
  // Events are stored in whole seconds: one that followed the first check within its second still counts.
  const first = checks[0] ? new Date(Math.floor(Date.parse(checks[0].at) / 1000) * 1000) : since;
  const numbers = [...new Set([...docs.values()].map((d) => d.number))];
  const events = numbers.length
    ? await core.models.LedgerEvent.findAll({
        where: { customerId, docNumber: numbers, ...(first ? { at: { [Op.gte]: first } } : {}) },
        order: [
          ['at', 'ASC'],
          ['id', 'ASC'],
        ],
        transaction: t,
      })
    : [];
  const changes: HandlingChange[] = events
    .filter((e) => docs.has(`${e.docType}:${e.docNumber}`))
    .map((e) => ({
      docType: e.docType,
      docNumber: e.docNumber,
      change: e.change,
      what: whatChanged(e),
      actorName: e.actorName,
      door: e.door,
      source: e.source,
      via: viaName(e.source, e.door),
      at: e.at.toISOString(),
    }));
  const requesterNote = opts.requesterNote?.trim() || null;
  return {
    customerId,
    builtAt: core.now().toISOString(),
    since: since?.toISOString() ?? null,
    checks,
    changes,
    requesterNote,
    lines: handlingLines(core, checks, changes, requesterNote),
  };
}

/** The record as Chinese lines in time order. */
function handlingLines(core: Core, checks: HandlingCheck[], changes: HandlingChange[], note: string | null): string[] {
  const timed: { at: string; order: number; line: string }[] = [];
  for (const c of checks) {
    const found = c.blockers.length ? c.blockers.map((b) => b.text).join('; ') : '无未了结业务';
    timed.push({
      at: c.at,
      order: 0,
      line: `${localTime(core, new Date(c.at))} ${STAGE_NAMES[c.stage]} (${c.operatorName} · ${DOOR_NAMES[c.door] ?? c.door}): ${found}`,
    });
  }
  for (const x of changes) {
    timed.push({
      at: x.at,
      order: 1,
      line: `${DOC_NAMES[x.docType] ?? x.docType} ${x.docNumber} ${x.what} · ${x.actorName} · ${x.via} · ${localTime(core, new Date(x.at))}`,
    });
  }
  // Ledger events keep whole seconds (MySQL DATETIME): compare at that precision, a check first in a tie.
  const second = (iso: string) => iso.slice(0, 19);
  timed.sort((a, b) => second(a.at).localeCompare(second(b.at)) || a.order - b.order);
  return [...timed.map((x) => x.line), ...(note ? [`申请人备注: ${note}`] : [])];
}

/** A stored record (approval_requests.handling) back as an object; null when absent or unreadable. */
export function readHandling(json: string | null | undefined): HandlingRecord | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as HandlingRecord;
  } catch {
    return null;
  }
}

/** The record as one chat block: 「关联数据处理记录:」 and at most `max` of its lines. */
export function handlingText(record: HandlingRecord | null, max = 10): string {
  if (!record) return '关联数据处理记录: 无';
  const blocked = record.checks.some((c) => c.blockers.length) || record.changes.length;
  if (!blocked && !record.requesterNote) return '关联数据处理记录: 各次检查均无未了结业务。';
  // Too long for a card: the first check (what blocked) and the newest lines (how it cleared).
  const lines = record.lines.length > max ? [record.lines[0]!, '…', ...record.lines.slice(-(max - 1))] : record.lines;
  return ['关联数据处理记录:', ...lines.map((l) => (l === '…' ? l : `• ${l}`))].join('\n');
}

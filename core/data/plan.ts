import { Op, type Transaction } from 'sequelize';
import type { Customer, Operator } from '../../models/index.js';
import type { Core } from '../context.js';
import { storedFields } from '../customers/create.js';
import { duplicateCandidatesMany } from '../customers/duplicates.js';
import type { CustomerInput } from '../customers/schema.js';
import { decrypt } from '../privacy.js';
import type { ParsedRow, ParsedSheet } from './parse-rows.js';
import { chunks } from './sql.js';

/** What will happen to one row. */
export interface PlannedRow extends ParsedRow {
  action: 'create' | 'update' | 'unchanged' | 'error';
  ownerId: number | null | undefined;
  existing: Customer | null;
  /** Update: plain field → [before, after] for the audit trail. */
  diff: Record<string, [unknown, unknown]>;
  /** Update: the stored columns to set (encrypted where personal). */
  changes: Record<string, unknown>;
  /** Codes of existing customers with the same phone or normalised name. */
  duplicates: string[];
}

const NONE: string[] = [];
const UPDATABLE = ['name', 'contact', 'phone', 'address', 'category', 'ownerId', 'note'] as const;

/** An operator by name, e-mail, WeCom or DingTalk id; each name maps to every operator using it. */
function operatorIndex(ops: Operator[]): Map<string, Operator[]> {
  const index = new Map<string, Operator[]>();
  for (const op of ops) {
    const keys = new Set([op.displayName, op.email?.toLowerCase(), op.wecomUserId, op.dingtalkUserId].filter((k): k is string => Boolean(k)));
    for (const k of keys) index.set(k, [...(index.get(k) ?? []), op]);
  }
  return index;
}

function resolveOwner(row: PlannedRow, index: Map<string, Operator[]>, column: string): void {
  if (!row.ownerRef) return;
  const found = index.get(row.ownerRef) ?? index.get(row.ownerRef.toLowerCase()) ?? [];
  const fail = (message: string) => row.errors.push({ row: row.rowNo, column, message });
  if (!found.length) fail(`负责人「${row.ownerRef}」不是系统里的操作员; 请填操作员姓名、邮箱或企业微信账号, 或留空`);
  else if (found.length > 1) fail(`负责人「${row.ownerRef}」对应多个操作员, 请改填邮箱或企业微信账号`);
  else if (!found[0]!.active) fail(`负责人「${row.ownerRef}」的账号已停用, 请换一位负责人`);
  else row.ownerId = found[0]!.id;
}

/** The same code twice in the file is an error on every row that has it. */
function markFileDuplicates(rows: PlannedRow[], column: string): void {
  const byCode = new Map<string, PlannedRow[]>();
  for (const r of rows) if (r.code) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
  for (const [code, list] of byCode) {
    if (list.length < 2) continue;
    const where = list.map((r) => r.rowNo).join('、');
    for (const r of list) r.errors.push({ row: r.rowNo, column, message: `客户编码「${code}」在文件里出现了 ${list.length} 次 (第 ${where} 行), 同一编码只能有一行` });
  }
}

async function loadExisting(core: Core, codes: string[], t: Transaction | undefined, lock: boolean): Promise<Map<string, Customer>> {
  const out = new Map<string, Customer>();
  for (const part of chunks(codes)) {
    const rows = await core.models.Customer.findAll({ where: { code: { [Op.in]: part } }, transaction: t, ...(lock && t ? { lock: t.LOCK.UPDATE } : {}) });
    for (const r of rows) out.set(r.code, r);
  }
  return out;
}

/** The plain current value of a field, as the import would compare it. */
function currentValue(core: Core, c: Customer, field: (typeof UPDATABLE)[number]): unknown {
  if (field === 'phone') return decrypt(core.keys, c.phoneEnc);
  if (field === 'address') return decrypt(core.keys, c.addressEnc);
  return c[field] ?? null;
}

/** An existing customer: refuse what import may not do, else work out the changed fields. */
function planUpdate(core: Core, row: PlannedRow, c: Customer, labels: { status: string; code: string }): void {
  const fail = (column: string, message: string): void => {
    row.errors.push({ row: row.rowNo, column, message });
  };
  if (c.status === 'deleted') return fail(labels.code, `客户 ${c.code} 已删除, 不能通过导入修改; 如需修改请先「恢复客户 ${c.code}」`);
  if (row.status && row.status !== c.status) {
    const zh: Record<string, string> = { active: '启用', inactive: '停用', deleted: '已删除' };
    return fail(labels.status, `状态不能通过导入修改 (现在是「${zh[c.status]}」, 文件里是「${zh[row.status]}」); 请用「${row.status === 'active' ? '启用' : '停用'}客户 ${c.code}」办理`);
  }
  const wanted: CustomerInput = { ...row.input, ...(row.ownerId !== undefined ? { ownerId: row.ownerId } : {}) };
  const changed: CustomerInput = {};
  for (const field of UPDATABLE) {
    const next = wanted[field];
    if (next === undefined) continue;
    const before = currentValue(core, c, field);
    if ((before ?? null) === (next ?? null)) continue;
    row.diff[field] = [before ?? null, next ?? null];
    (changed as Record<string, unknown>)[field] = next;
  }
  row.changes = storedFields(core, changed);
  row.action = Object.keys(row.diff).length ? 'update' : 'unchanged';
}

/**
 * Decides create / update / unchanged / error for every parsed row against the database. With a
 * transaction and `lock`, the customers it will update are locked until the import commits.
 */
export async function planImport(core: Core, sheet: ParsedSheet, opts: { transaction?: Transaction; lock?: boolean } = {}): Promise<PlannedRow[]> {
  const label = (key: string, fallback: string) => (sheet.header.columns[key as 'code'] !== undefined ? sheet.header.labels[sheet.header.columns[key as 'code']!]! : fallback);
  const labels = { code: label('code', '客户编码'), status: label('status', '状态'), owner: label('owner', '负责人'), phone: label('phone', '手机'), address: label('address', '地址') };
  // Extends the parsed rows in place: at 100k rows a copy of each costs tens of megabytes.
  const rows = sheet.rows.map((r) => Object.assign(r, { action: 'error', ownerId: undefined, existing: null, diff: {}, changes: {}, duplicates: NONE }) as PlannedRow);
  markFileDuplicates(rows, labels.code);
  const existing = await loadExisting(core, [...new Set(rows.map((r) => r.code).filter((c): c is string => Boolean(c)))], opts.transaction, Boolean(opts.lock));
  const ops = rows.some((r) => r.ownerRef) ? await core.models.Operator.findAll({ transaction: opts.transaction }) : [];
  const index = operatorIndex(ops);
  for (const row of rows) {
    resolveOwner(row, index, labels.owner);
    if (row.errors.length) continue;
    row.existing = (row.code && existing.get(row.code)) || null;
    if (row.existing) planUpdate(core, row, row.existing, labels);
    else if (row.masked.length) {
      for (const f of row.masked) row.errors.push({ row: row.rowNo, column: labels[f], message: `${f === 'phone' ? '手机' : '地址'}是打码的 (含 ****), 新客户需要填写完整内容` });
    } else row.action = 'create';
    if (row.errors.length) row.action = 'error';
  }
  // Only failed rows go to the error report; the others need not keep their cells.
  for (const row of rows) if (row.action !== 'error') row.cells = [];
  const creates = rows.filter((r) => r.action === 'create');
  const found = await duplicateCandidatesMany(core, creates.map((r) => r.input), { transaction: opts.transaction });
  creates.forEach((r, i) => {
    r.duplicates = found[i]!.map((d) => d.code);
  });
  return rows;
}

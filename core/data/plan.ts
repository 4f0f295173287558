import { Op, type Transaction } from 'sequelize';
import type { Customer, Operator } from '../../models/index.js';
import type { Core } from '../context.js';
import { identitiesOf, type Identity } from '../operators.js';
import { storedFields } from '../customers/create.js';
import type { CustomerInput } from '../customers/schema.js';
import { blindIndex, decrypt } from '../privacy.js';
import { normalizeName, normalizePhone } from '../text.js';
import type { HeaderMap } from './headers.js';
import type { ParsedRow } from './parse-rows.js';
import { chunks, letIoIn } from './sql.js';
import { mayTransition } from '../customers/lifecycle.js';

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
  /** Create: the duplicate-lookup keys, also stored with the customer. */
  nameNorm: string | null;
  phoneHash: string | null;
  /** Set once the row is written: the customer it created or updated. */
  customerId?: number;
  /** The file's code when it is a merged customer's: the row applies to the survivor (「C… 已并入 C…」). */
  mergedFrom?: string;
}

const NONE: string[] = [];
// Shared by every row that is not an update (planUpdate gives updates their own); never written to.
const NO_DIFF = Object.freeze({}) as Record<string, [unknown, unknown]>;
const NO_CHANGES = Object.freeze({}) as Record<string, unknown>;
const UPDATABLE = ['name', 'contact', 'phone', 'address', 'category', 'region', 'ownerId', 'note'] as const;

/** An operator by name, e-mail or any linked chat account id; each name maps to every operator using it. */
function operatorIndex(ops: Operator[], identities: Map<number, Identity[]>): Map<string, Operator[]> {
  const index = new Map<string, Operator[]>();
  for (const op of ops) {
    const chat = (identities.get(op.id) ?? []).map((i) => i.externalId);
    const keys = new Set([op.displayName, op.email?.toLowerCase(), ...chat].filter((k): k is string => Boolean(k)));
    for (const k of keys) index.set(k, [...(index.get(k) ?? []), op]);
  }
  return index;
}

async function loadOperatorIndex(core: Core, t: Transaction | undefined): Promise<Map<string, Operator[]>> {
  const ops = await core.models.Operator.findAll({ transaction: t });
  return operatorIndex(
    ops,
    await identitiesOf(
      core,
      ops.map((o) => o.id),
      t,
    ),
  );
}

/** The same code twice in the file is an error on every row that has it. */
export function markFileDuplicates(rows: ParsedRow[], column: string): void {
  const byCode = new Map<string, ParsedRow[]>();
  for (const r of rows) if (r.code) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
  for (const [code, list] of byCode) {
    if (list.length < 2) continue;
    const where = list.map((r) => r.rowNo).join('、');
    for (const r of list)
      r.errors.push({
        row: r.rowNo,
        column,
        message: `客户编码「${code}」在文件里出现了 ${list.length} 次 (第 ${where} 行), 同一编码只能有一行`,
      });
  }
}

/** The plain current value of a field, as the import would compare it. */
function currentValue(core: Core, c: Customer, field: (typeof UPDATABLE)[number]): unknown {
  if (field === 'phone') return decrypt(core.keys, c.phoneEnc);
  if (field === 'address') return decrypt(core.keys, c.addressEnc);
  return c[field] ?? null;
}

/**
 * Decides create / update / unchanged / error for parsed rows, a chunk at a time, against the
 * database. Rows without a code can only be created; rows with one are planned after the whole
 * file is read (a code twice in the file is an error on both), locking what they will update.
 */
export class ImportPlanner {
  readonly labels: { code: string; status: string; owner: string; phone: string; address: string };
  private operators: Map<string, Operator[]> | null = null;

  constructor(
    private readonly core: Core,
    header: HeaderMap,
    private readonly t: Transaction | null,
  ) {
    const label = (key: keyof HeaderMap['columns'], fallback: string) =>
      header.columns[key] !== undefined ? header.labels[header.columns[key]!]! : fallback;
    this.labels = {
      code: label('code', '客户编码'),
      status: label('status', '状态'),
      owner: label('owner', '负责人'),
      phone: label('phone', '手机'),
      address: label('address', '地址'),
    };
  }

  /** Plans rows: existing customers (by code, locked when `lock`) are updated, the others created. */
  async plan(parsed: ParsedRow[], lock = false): Promise<PlannedRow[]> {
    // Extends the parsed rows in place: at 100k rows a copy of each costs tens of megabytes.
    const rows = parsed.map(
      (r) =>
        Object.assign(r, {
          action: 'error',
          ownerId: undefined,
          existing: null,
          diff: NO_DIFF,
          changes: NO_CHANGES,
          duplicates: NONE,
          nameNorm: null,
          phoneHash: null,
        }) as PlannedRow,
    );
    const codes = rows.map((r) => r.code).filter((c): c is string => Boolean(c));
    const existing = codes.length ? await this.loadExisting(codes, lock) : null;
    if (rows.some((r) => r.ownerRef)) this.operators ??= await loadOperatorIndex(this.core, this.t ?? undefined);
    for (const [i, row] of rows.entries()) {
      // Short turns: the database's answers wait while this thread computes.
      if (i % 100 === 99) await letIoIn();
      this.resolveOwner(row);
      if (row.errors.length) continue;
      this.planRow(row, existing);
    }
    // Only failed rows go to the error report; the others need not keep their cells.
    for (const row of rows) if (row.action !== 'error') row.cells = NONE;
    return rows;
  }

  /** A row whose owner resolved: an update of the customer its code names (or that one's survivor), else a create. */
  private planRow(row: PlannedRow, existing: Map<string, Customer> | null): void {
    row.existing = (row.code && existing?.get(row.code)) || null;
    // A merged customer's code is an alias: the row goes to the survivor, and the report says so.
    const survivor = row.existing?.mergedInto ? existing?.get(`alias:${row.code}`) : undefined;
    if (survivor) [row.existing, row.mergedFrom] = [survivor, row.code!];
    if (row.existing) this.planUpdate(row, row.existing);
    else this.planCreate(row);
    if (row.errors.length) row.action = 'error';
  }

  /** A new customer needs its phone and address whole, not masked (****). */
  private planCreate(row: PlannedRow): void {
    if (row.masked.length) {
      for (const f of row.masked)
        row.errors.push({
          row: row.rowNo,
          column: this.labels[f],
          message: `${f === 'phone' ? '手机' : '地址'}是打码的 (含 ****), 新客户需要填写完整内容`,
        });
      return;
    }
    row.action = 'create';
    row.nameNorm = normalizeName(row.input.name!);
    row.phoneHash = row.input.phone ? blindIndex(this.core.keys, normalizePhone(row.input.phone)) : null;
  }

  private async loadExisting(codes: string[], lock: boolean): Promise<Map<string, Customer>> {
    const t = this.t ?? undefined;
    const out = new Map<string, Customer>();
    for (const part of chunks(codes)) {
      const rows = await this.core.models.Customer.findAll({
        where: { code: { [Op.in]: part } },
        transaction: t,
        ...(lock && t ? { lock: t.LOCK.UPDATE } : {}),
      });
      for (const r of rows) out.set(r.code, r);
    }
    // Survivors of merged codes, under `alias:<code>` (one more read, only when the file has such codes).
    const merged = [...out.values()].filter((c) => c.mergedInto).map((c) => c.code);
    if (merged.length) {
      const aliases = await this.core.models.CustomerAlias.findAll({
        where: { code: { [Op.in]: merged } },
        transaction: t,
      });
      const survivors = await this.core.models.Customer.findAll({
        where: { id: { [Op.in]: aliases.map((a) => a.customerId) } },
        transaction: t,
        ...(lock && t ? { lock: t.LOCK.UPDATE } : {}),
      });
      const byId = new Map(survivors.map((c) => [c.id, c]));
      for (const a of aliases) if (byId.has(a.customerId)) out.set(`alias:${a.code}`, byId.get(a.customerId)!);
    }
    return out;
  }

  private resolveOwner(row: PlannedRow): void {
    if (!row.ownerRef) return;
    const found = this.operators?.get(row.ownerRef) ?? this.operators?.get(row.ownerRef.toLowerCase()) ?? [];
    const fail = (message: string) => row.errors.push({ row: row.rowNo, column: this.labels.owner, message });
    if (!found.length)
      fail(
        `负责人「${row.ownerRef}」不是系统里的操作员; 请填操作员姓名、邮箱或已关联的聊天账号 (企业微信、钉钉、飞书等), 或留空`,
      );
    else if (found.length > 1) fail(`负责人「${row.ownerRef}」对应多个操作员, 请改填邮箱`);
    else if (!found[0]!.active) fail(`负责人「${row.ownerRef}」的账号已停用, 请换一位负责人`);
    else row.ownerId = found[0]!.id;
  }

  /** An existing customer: refuse what import may not do, else work out the changed fields. */
  private planUpdate(row: PlannedRow, c: Customer): void {
    const fail = (column: string, message: string): void => {
      row.errors.push({ row: row.rowNo, column, message });
    };
    if (c.mergedInto)
      return fail(
        this.labels.code,
        `客户 ${c.code} 已合并到其他客户, 不能再通过这个编码导入修改; 发送「客户 ${c.code}」可查到合并后的编码, 请改用它`,
      );
    if (!mayTransition(c.status, 'edit'))
      return fail(this.labels.code, `客户 ${c.code} 已删除, 不能通过导入修改; 如需修改请先「恢复客户 ${c.code}」`);
    if (row.status && row.status !== c.status) {
      const zh: Record<string, string> = { active: '启用', inactive: '停用', deleted: '已删除' };
      return fail(
        this.labels.status,
        `状态不能通过导入修改 (现在是「${zh[c.status]}」, 文件里是「${zh[row.status]}」); 请用「${row.status === 'active' ? '启用' : '停用'}客户 ${c.code}」办理`,
      );
    }
    const wanted: CustomerInput = { ...row.input, ...(row.ownerId !== undefined ? { ownerId: row.ownerId } : {}) };
    const changed: CustomerInput = {};
    row.diff = {};
    for (const field of UPDATABLE) {
      const next = wanted[field];
      if (next === undefined) continue;
      const before = currentValue(this.core, c, field);
      if ((before ?? null) === (next ?? null)) continue;
      row.diff[field] = [before ?? null, next ?? null];
      (changed as Record<string, unknown>)[field] = next;
    }
    row.changes = storedFields(this.core, changed);
    row.action = Object.keys(row.diff).length ? 'update' : 'unchanged';
  }
}

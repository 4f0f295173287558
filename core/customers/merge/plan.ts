import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { Customer } from '../../../models/index.js';
import type { Actor, Core } from '../../context.js';
import { DomainError, validationError } from '../../errors.js';
import { centsToDecimal, toCents } from '../../money.js';
import { decrypt, maskAddress, maskPhone } from '../../privacy.js';
import { normalizeCode } from '../codes.js';
import { storedFields } from '../create.js';
import { FIELD_LABELS, assertEditInput, type CustomerInput } from '../schema.js';
import { resolveListFields } from '../../lists/customer-fields.js';
import { assertOwnerMay } from '../ownership.js';
import { customerNotFound } from '../view.js';
import { refuseMerged } from './aliases.js';
import { countReferences, MOVED_TABLES } from './move.js';
import { isLive, mayTransition } from '../lifecycle.js';
import { withLastOrders } from '../last-order.js';

/** At most this many customers are merged into one at a time. */
export const MAX_ABSORBED = 10;

/** The fields a merge can set on the survivor (`名称=…`); everything else stays the survivor's. */
export const MERGE_FIELDS = ['name', 'contact', 'phone', 'address', 'category', 'region', 'ownerId', 'note'] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** One field where the customers differ: what the survivor has, what each absorbed one has, and what it will keep. */
export interface FieldDifference {
  field: MergeField;
  label: string;
  keep: string;
  others: Array<{ code: string; value: string }>;
  result: string;
  overridden: boolean;
}

/** What moves from one absorbed customer: table label → rows. */
export interface MoveLine {
  code: string;
  counts: Array<{ table: string; label: string; rows: number }>;
}

/** Everything a person sees before confirming, and what the merge will do. */
export interface MergePlan {
  keep: Customer;
  absorbed: Customer[];
  differences: FieldDifference[];
  moves: MoveLine[];
  /** The survivor after the merge. */
  totals: {
    orders: number;
    orderAmount: string;
    openReceivables: number;
    outstanding: string;
    activeReservations: number;
    lastOrderAt: Date | null;
  };
  /** The stored column values to set on the survivor (validated, encrypted). */
  values: Record<string, unknown>;
  /** The same, as a person typed them (for the confirmation text), personal data masked. */
  shownValues: Record<string, string>;
}

async function load(core: Core, rawCode: string, t?: Transaction): Promise<Customer> {
  const code = normalizeCode(rawCode);
  const row = await core.models.Customer.findOne({
    where: { code },
    transaction: t,
    ...(t ? { lock: t.LOCK.UPDATE } : {}),
  });
  if (!row) throw customerNotFound(code);
  await refuseMerged(core, row, t);
  return row;
}

async function ownerLabels(core: Core, ids: Array<number | null>, t?: Transaction): Promise<Map<number, string>> {
  const list = [...new Set(ids.filter((x): x is number => x !== null))];
  if (!list.length) return new Map();
  const ops = await core.models.Operator.findAll({
    where: { id: list },
    attributes: ['id', 'displayName'],
    transaction: t,
  });
  return new Map(ops.map((o) => [o.id, o.displayName]));
}

/** The survivor and the customers to absorb, checked: they exist, are live, distinct, and the actor may merge them. */
export async function loadParties(
  core: Core,
  actor: Actor,
  keepCode: string,
  absorbCodes: string[],
  t?: Transaction,
): Promise<{ keep: Customer; absorbed: Customer[] }> {
  const codes = [...new Set(absorbCodes.map(normalizeCode).filter(Boolean))];
  if (!codes.length)
    throw validationError([{ field: 'absorb', message: '请写要并入的客户编码, 例如「合并客户 C20260009 C20260011」' }]);
  if (codes.length > MAX_ABSORBED)
    throw validationError([{ field: 'absorb', message: `一次最多并入 ${MAX_ABSORBED} 个客户` }]);
  const keep = await load(core, keepCode, t);
  if (codes.includes(keep.code))
    throw new DomainError('VALIDATION', `不能把客户 ${keep.code} 合并到它自己: 保留编码和并入编码必须不同。`, {
      errors: [{ field: 'absorb', message: '并入编码与保留编码相同' }],
    });
  if (!isLive(keep.status))
    throw new DomainError(
      'CUSTOMER_DELETED',
      `保留客户 ${keep.code} 已删除 (在回收站), 不能作为合并后的客户。请先「恢复客户 ${keep.code}」或换一个保留客户。`,
      { code: keep.code },
    );
  const absorbed: Customer[] = [];
  for (const code of codes) {
    const row = await load(core, code, t);
    if (!mayTransition(row.status, 'merge'))
      throw new DomainError(
        'CUSTOMER_DELETED',
        `客户 ${row.code} 已删除 (在回收站), 不能并入。如确需合并, 请先「恢复客户 ${row.code}」。`,
        { code: row.code },
      );
    absorbed.push(row);
  }
  for (const c of [keep, ...absorbed]) assertOwnerMay(core, actor, c, 'merge');
  return { keep, absorbed };
}

/** Refusals that depend on other open business: a pending delete or merge, or two jshERP links in one tenant. */
export async function assertMergeable(
  core: Core,
  keep: Customer,
  absorbed: Customer[],
  t?: Transaction,
  exceptMergeId?: number,
): Promise<void> {
  const ids = [keep.id, ...absorbed.map((a) => a.id)];
  const codeOf = (id: number) => [keep, ...absorbed].find((c) => c.id === id)?.code ?? `#${id}`;
  const deletion = await core.models.ApprovalRequest.findOne({
    where: { customerId: ids, status: 'pending', expiresAt: { [Op.gt]: core.now() } },
    transaction: t,
  });
  if (deletion)
    throw new DomainError(
      'CONFLICT',
      `客户 ${codeOf(deletion.customerId)} 有待审批的删除申请 #${deletion.id}, 不能合并。请先让审批人处理该申请。`,
      { requestId: deletion.id },
    );
  const pending = await core.models.CustomerMerge.findAll({
    where: {
      status: 'pending',
      expiresAt: { [Op.gt]: core.now() },
      ...(exceptMergeId ? { id: { [Op.ne]: exceptMergeId } } : {}),
    },
    transaction: t,
  });
  for (const p of pending) {
    const involved = [p.keepCustomerId, ...(JSON.parse(p.absorbed) as Array<{ id: number }>).map((a) => a.id)];
    const clash = involved.find((id) => ids.includes(id));
    if (clash !== undefined)
      throw new DomainError(
        'CONFLICT',
        `客户 ${codeOf(clash)} 已在待审批的合并申请 #${p.id} 中, 请等审批人处理后再发起。`,
        { mergeId: p.id },
      );
  }
  const links = await core.models.JsherpLink.findAll({
    where: { customerId: ids },
    attributes: ['tenantId', 'customerId', 'jshId'],
    transaction: t,
  });
  const byTenant = new Map<string, number[]>();
  for (const l of links) byTenant.set(String(l.tenantId), [...(byTenant.get(String(l.tenantId)) ?? []), l.customerId]);
  for (const owners of byTenant.values()) {
    if (owners.length > 1)
      throw new DomainError(
        'CONFLICT',
        `客户 ${owners.map(codeOf).join('、')} 各自关联了 jshERP 里的不同客户, 不能直接合并。请先在 jshERP 中合并这两个客户, 同步后再来合并。`,
        { customers: owners.map(codeOf) },
      );
  }
}

/** Validates `名称=…` style overrides into stored column values (and their masked display). */
export function mergeValues(
  core: Core,
  input: CustomerInput,
): { values: Record<string, unknown>; shown: Record<string, string> } {
  const keys = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
  if (!keys.length) return { values: {}, shown: {} };
  const unknown = keys.filter((k) => !(MERGE_FIELDS as readonly string[]).includes(k));
  if (unknown.length)
    throw validationError(
      unknown.map((k) => ({ field: k, message: `合并时不能指定「${FIELD_LABELS[k] ?? k}」: 编码保持保留客户的编码` })),
    );
  const clean = assertEditInput(input);
  const shown: Record<string, string> = {};
  for (const [k, v] of Object.entries(clean))
    shown[k] =
      k === 'phone'
        ? maskPhone(v as string)
        : k === 'address'
          ? maskAddress(v as string)
          : v === null
            ? '(空)'
            : String(v);
  return { values: storedFields(core, clean), shown };
}

function shownField(core: Core, c: Customer, field: MergeField, owners: Map<number, string>): string {
  switch (field) {
    case 'phone':
      return maskPhone(decrypt(core.keys, c.phoneEnc)) || '(空)';
    case 'address':
      return maskAddress(decrypt(core.keys, c.addressEnc)) || '(空)';
    case 'ownerId':
      return c.ownerId ? (owners.get(c.ownerId) ?? `#${c.ownerId}`) : '(空)';
    default:
      return (c[field] as string | null) ?? '(空)';
  }
}

/** The pre-check: differences, what moves, and the survivor's totals afterwards. Reads only. */
export async function buildPlan(
  core: Core,
  keep: Customer,
  absorbed: Customer[],
  input: CustomerInput,
  t?: Transaction,
): Promise<MergePlan> {
  // 分类=批发 in a merge means the entry, as in create and edit.
  const { values, shown } = mergeValues(core, await resolveListFields(core, input, { transaction: t }));
  const owners = await ownerLabels(core, [keep, ...absorbed].map((c) => c.ownerId).concat(input.ownerId ?? null), t);
  const differences: FieldDifference[] = [];
  for (const field of MERGE_FIELDS) {
    const mine = shownField(core, keep, field, owners);
    const others = absorbed
      .map((a) => ({ code: a.code, value: shownField(core, a, field, owners) }))
      .filter((o) => o.value !== mine);
    const overridden = field in shown;
    if (!others.length && !overridden) continue;
    const result = overridden
      ? field === 'ownerId'
        ? (owners.get(input.ownerId as number) ?? shown[field]!)
        : shown[field]!
      : mine;
    differences.push({ field, label: FIELD_LABELS[field] ?? field, keep: mine, others, result, overridden });
  }
  const counts = await countReferences(
    core,
    absorbed.map((a) => a.id),
    t,
  );
  const moves = absorbed.map((a) => ({
    code: a.code,
    counts: MOVED_TABLES.map((m) => ({
      table: m.table,
      label: m.label,
      rows: counts.get(m.table)?.get(a.id) ?? 0,
    })).filter((c) => c.rows > 0),
  }));
  return {
    keep,
    absorbed,
    differences,
    moves,
    totals: await totalsOf(core, [keep, ...absorbed], t),
    values,
    shownValues: shown,
  };
}

/** The survivor's business after the merge: the sums over all the customers being merged. */
async function totalsOf(core: Core, customers: Customer[], t?: Transaction): Promise<MergePlan['totals']> {
  const ids = customers.map((c) => c.id);
  const one = async (sql: string) =>
    (
      await core.models.sequelize.query<{ n: unknown; s: unknown }>(sql, {
        replacements: { ids },
        type: QueryTypes.SELECT,
        transaction: t,
      })
    )[0] ?? { n: 0, s: 0 };
  const orders = await one(
    "SELECT COUNT(*) AS n, SUM(total) AS s FROM sales_orders WHERE customer_id IN (:ids) AND status <> 'cancelled'",
  );
  const open = await one(
    "SELECT COUNT(*) AS n, SUM(amount - paid) AS s FROM receivables WHERE customer_id IN (:ids) AND status = 'open'",
  );
  const held = await one(
    "SELECT COUNT(*) AS n, 0 AS s FROM reservations WHERE customer_id IN (:ids) AND status = 'active'",
  );
  const known = customers.map((c) => ({ id: c.id, lastOrderAt: c.lastOrderAt }));
  const last =
    (await withLastOrders(core, known, t))
      .map((c) => c.lastOrderAt)
      .filter((d): d is Date => !!d)
      .sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  return {
    orders: Number(orders.n),
    orderAmount: centsToDecimal(toCents((orders.s as string | number | null) ?? 0)),
    openReceivables: Number(open.n),
    outstanding: centsToDecimal(toCents((open.s as string | number | null) ?? 0)),
    activeReservations: Number(held.n),
    lastOrderAt: last,
  };
}

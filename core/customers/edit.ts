import type { Transaction } from 'sequelize';
import type { Customer } from '../../models/index.js';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError, validationError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { withTransaction } from '../../models/tx.js';
import { checkManualCode, codeColumns } from './codes.js';
import { deletedError } from './deleted.js';
import { assertOwnerMay, ownerNames } from './ownership.js';
import { storedFields } from './create.js';
import { resolveListFields, withListErrors } from '../lists/customer-fields.js';
import { assertEditInput, type CustomerInput } from './schema.js';
import { auditFields, codeTakenError, findByCode, mapUniqueError, toView, type CustomerView } from './view.js';
import { mayTransition } from './lifecycle.js';

export interface EditResult {
  customer: CustomerView;
  /** Field → [before, after], only the fields that changed. */
  changes: Record<string, [unknown, unknown]>;
}

/** The fields whose value differs between two views. */
export function fieldDiff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(after))
    if ((before[key] ?? null) !== (after[key] ?? null)) out[key] = [before[key] ?? null, after[key] ?? null];
  return out;
}

/** The version the editor saw; forms send it as text, and anything that is not a whole number is refused, not concatenated. */
function expectedVersion(version: number | string | null | undefined, row: Customer): number {
  const expected = version === undefined || version === null ? row.version : Number(version);
  if (!Number.isInteger(expected)) throw validationError([{ field: 'version', message: '版本号无效, 请刷新后再改' }]);
  return expected;
}

/** A new code goes into `next` only while no order references the customer and no one else holds it. */
async function applyCodeChange(
  core: Core,
  row: Customer,
  rawCode: string,
  next: Record<string, unknown>,
  t: Transaction,
): Promise<void> {
  const code = checkManualCode(core, rawCode);
  if (code === row.code) return;
  const orders = await core.models.SalesOrder.count({ where: { customerId: row.id }, transaction: t });
  if (orders)
    throw new DomainError(
      'CODE_LOCKED',
      `客户 ${row.code} 已有 ${orders} 张订单引用此编码, 不能在这里改编码; 请用「改编码 ${row.code} <新编码> [原因]」申请 (审批后执行, 旧编码仍可查)。其他字段可以照常修改。`,
      { code: row.code, orders },
    );
  if (await core.models.Customer.count({ where: { code }, transaction: t })) throw codeTakenError(code);
  Object.assign(next, codeColumns(core, code, 'manual'));
  next.code = code;
}

/** Writes `next` only if the row is still at `expected`; a unique clash becomes its domain error. */
async function updateAtVersion(
  core: Core,
  row: Customer,
  next: Record<string, unknown>,
  expected: number,
  t: Transaction,
): Promise<void> {
  try {
    const [affected] = await core.models.Customer.update(
      { ...next, version: expected + 1 },
      { where: { id: row.id, version: expected }, transaction: t },
    );
    if (affected !== 1)
      throw new DomainError('STALE_VERSION', '已被他人修改, 请刷新后再改。', {
        code: row.code,
        expected,
        actual: row.version,
      });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    mapUniqueError(err, String(next.code ?? row.code));
  }
}

/** The owner is recorded by name beside its id, so the trail reads 负责人: 张三 → 李四. */
async function auditEdit(
  core: Core,
  actor: Actor,
  t: Transaction,
  row: Customer,
  after: CustomerView,
  changes: Record<string, [unknown, unknown]>,
): Promise<void> {
  const names = changes.ownerId ? await ownerNames(core, changes.ownerId, t) : null;
  const side = (i: 0 | 1) => ({
    ...Object.fromEntries(Object.entries(changes).map(([k, pair]) => [k, pair[i]])),
    ...(names ? { owner: names.get(Number(changes.ownerId![i])) ?? null } : {}),
  });
  await appendAudit(core, t, actor, {
    action: 'customer.edit',
    customerId: row.id,
    customerCode: after.code,
    before: side(0),
    after: side(1),
  });
}

/**
 * Edits a customer under optimistic locking: `version` must be the one the editor saw.
 * A code can change only while no order references the customer.
 */
export async function editCustomer(
  core: Core,
  actor: Actor,
  rawCode: string,
  input: CustomerInput & { version?: number | string | null },
  opts: { transaction?: Transaction } = {},
): Promise<EditResult> {
  assertCan(actor.operator, 'edit');
  const { version, ...fields } = input;
  const value = await withListErrors(core, fields, () => assertEditInput(fields));
  return withTransaction(
    core.models.sequelize,
    async (t) => {
      const row = await findByCode(core, rawCode, t, true);
      if (!mayTransition(row.status, 'edit')) throw deletedError(actor, row.code, '不能修改');
      assertOwnerMay(core, actor, row, 'edit');
      if (value.ownerId !== undefined && value.ownerId !== row.ownerId) assertOwnerMay(core, actor, row, 'changeOwner');
      const expected = expectedVersion(version, row);
      const before = toView(core, row);
      const next: Record<string, unknown> = storedFields(
        core,
        await resolveListFields(core, value, { transaction: t, current: row }),
      );
      if (value.code !== undefined) await applyCodeChange(core, row, value.code, next, t);
      await updateAtVersion(core, row, next, expected, t);
      const fresh = await core.models.Customer.findByPk(row.id, { transaction: t });
      const after = toView(core, fresh!);
      const changes = fieldDiff(auditFields(before), auditFields(after));
      if (Object.keys(changes).length) await auditEdit(core, actor, t, row, after, changes);
      return { customer: after, changes };
    },
    opts.transaction,
  );
}

import type { Transaction } from 'sequelize';
import { appendAudit } from '../audit.js';
import type { Actor, Core } from '../context.js';
import { DomainError } from '../errors.js';
import { assertCan } from '../permissions.js';
import { blindIndex, encrypt } from '../privacy.js';
import { normalizeName } from '../text.js';
import { withTransaction } from '../../models/tx.js';
import { checkManualCode, claimCustomerCode, codeColumns, nextCustomerCode, releaseCustomerCode } from './codes.js';
import { duplicateCandidates, type DuplicateCandidate } from './duplicates.js';
import { resolveListFields, withListErrors } from '../lists/customer-fields.js';
import { assertCreateInput, type CustomerInput } from './schema.js';
import { auditFields, codeTakenError, mapUniqueError, toView, type CustomerView } from './view.js';

export interface CreateOptions {
  /** Create even when duplicate candidates exist (the user has seen them and said go on). */
  allowDuplicates?: boolean;
  transaction?: Transaction;
}

export interface CreateResult {
  customer: CustomerView;
  duplicates: DuplicateCandidate[];
}

/** The encrypted and indexed column values for validated input. */
export function storedFields(core: Core, v: CustomerInput) {
  return {
    ...(v.name !== undefined ? { name: v.name!, nameNorm: normalizeName(v.name!) } : {}),
    ...(v.contact !== undefined ? { contact: v.contact } : {}),
    ...(v.phone !== undefined
      ? { phoneEnc: encrypt(core.keys, v.phone), phoneHash: blindIndex(core.keys, v.phone) }
      : {}),
    ...(v.address !== undefined ? { addressEnc: encrypt(core.keys, v.address) } : {}),
    ...(v.category !== undefined ? { category: v.category } : {}),
    ...(v.region !== undefined ? { region: v.region } : {}),
    ...(v.ownerId !== undefined ? { ownerId: v.ownerId } : {}),
    ...(v.note !== undefined ? { note: v.note } : {}),
  };
}

/**
 * Creates a customer with a typed or automatic code, in one transaction with its audit event.
 * Duplicate candidates (same phone or normalised name) stop the create unless `allowDuplicates`.
 */
export async function createCustomer(
  core: Core,
  actor: Actor,
  input: CustomerInput,
  opts: CreateOptions = {},
): Promise<CreateResult> {
  assertCan(actor.operator, 'create');
  const value = await withListErrors(core, input, () => assertCreateInput(input));
  const manual = value.code ? checkManualCode(core, value.code) : null;
  const claim = !manual && !opts.transaction ? await claimCustomerCode(core) : null;
  return withTransaction(
    core.models.sequelize,
    async (t) => {
      Object.assign(value, await resolveListFields(core, value, { transaction: t }));
      const duplicates = await duplicateCandidates(core, value, { transaction: t });
      if (duplicates.length && !opts.allowDuplicates) {
        const list = duplicates.map((d) => `${d.code} ${d.name}`).join('、');
        throw new DomainError('CONFLICT', `可能与已有客户重复: ${list}。确认不是同一客户后再继续。`, { duplicates });
      }
      const code = manual ?? (await nextCustomerCode(core, t, claim));
      if (manual && (await core.models.Customer.count({ where: { code }, transaction: t }))) throw codeTakenError(code);
      let row;
      try {
        row = await core.models.Customer.create(
          {
            code,
            ...codeColumns(core, code, manual ? 'manual' : 'auto'),
            ...storedFields(core, value),
            name: value.name!,
            nameNorm: normalizeName(value.name!),
          } as never,
          { transaction: t },
        );
      } catch (err) {
        mapUniqueError(err, code);
      }
      const view = toView(core, row);
      await appendAudit(core, t, actor, {
        action: 'customer.create',
        customerId: view.id,
        customerCode: code,
        before: null,
        after: auditFields(view),
      });
      return { customer: view, duplicates };
    },
    opts.transaction,
  ).catch((err: unknown) => {
    // Nothing was written: the claimed number goes back to this instance's block instead of becoming a gap.
    releaseCustomerCode(core, claim);
    throw err;
  });
}

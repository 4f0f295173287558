import { expect } from '@jest/globals';
import type { Actor, Core } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import type { CustomerView } from '../../core/customers/view.js';
import { DomainError, type ErrorCode } from '../../core/errors.js';
import type { Harness } from '../helpers/db.js';

/** Awaits `p` and returns the DomainError it was refused with; fails the test if it succeeded. */
export async function refusal(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/** Expects a refusal with this code, and the message to contain every fragment given. */
export async function expectRefused(
  p: Promise<unknown>,
  code: ErrorCode,
  ...fragments: string[]
): Promise<DomainError> {
  const err = await refusal(p);
  expect({ code: err.code, message: err.message }).toEqual({ code, message: expect.any(String) });
  for (const f of fragments) expect(err.message).toContain(f);
  return err;
}

let seq = 0;

/** A unique, valid company name (so duplicate detection does not interfere). */
export function uniqueName(prefix = '测试客户'): string {
  seq += 1;
  return `${prefix}${process.pid}x${seq}有限公司`;
}

/** Creates a customer through the real core path, with a unique name unless one is given. */
export async function newCustomer(h: Harness, actor: Actor, input: CustomerInput = {}): Promise<CustomerView> {
  const { customer } = await createCustomer(h.core, actor, { name: uniqueName(), ...input });
  return customer;
}

/** The audit events recorded for one customer, oldest first. */
export async function eventsOf(core: Core, customerId: number) {
  return core.models.AuditEvent.findAll({ where: { customerId }, order: [['id', 'ASC']] });
}

/** A product to reserve stock against (created once per SKU). */
export async function product(core: Core, sku = 'P-TEST'): Promise<string> {
  await core.models.Product.findOrCreate({
    where: { sku },
    defaults: { sku, name: `测试产品 ${sku}`, unit: '件', price: '10.00' },
  });
  return sku;
}

import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor, OperatorLike } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import { revealCustomer } from '../../core/customers/reveal.js';
import { searchCustomers } from '../../core/customers/search.js';
import { deactivate, reactivate } from '../../core/customers/status.js';
import { approve } from '../../core/deletion/approvals.js';
import { requestDeletion } from '../../core/deletion/request.js';
import { precheck } from '../../core/deletion/precheck.js';
import { purgeEntry, restoreCustomer } from '../../core/deletion/recycle.js';
import { DomainError } from '../../core/errors.js';
import { createOrder, createReceivable, recordPayment } from '../../core/orders.js';
import { ACTIONS, assertCan, can, PERMISSIONS, ROLE_LABELS, type Action } from '../../core/permissions.js';
import { ROLES, type Role } from '../../models/index.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer, refusal } from './fixtures.js';

const op = (roles: Role[], active = true): OperatorLike => ({
  id: 1,
  displayName: '测试员',
  active,
  roleList: () => roles,
});

describe('the permission table', () => {
  it('has a rule for every action, and admin may do everything', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) expect(PERMISSIONS[action]).toContain('admin');
  });

  const pairs = ROLES.flatMap((role) => ACTIONS.map((action) => [role, action] as const));
  it.each(pairs)(
    '%s × %s: allowed exactly when the table says so; a refusal names the roles needed',
    (role, action) => {
      const allowed = PERMISSIONS[action].includes(role);
      expect(can(op([role]), action)).toBe(allowed);
      if (allowed) {
        expect(() => assertCan(op([role]), action)).not.toThrow();
        return;
      }
      let err: unknown;
      try {
        assertCan(op([role]), action);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DomainError);
      const e = err as DomainError;
      expect(e.code).toBe('NOT_PERMITTED');
      expect(e.status).toBe(403);
      expect(e.details).toEqual({ action, needed: PERMISSIONS[action] });
      for (const r of PERMISSIONS[action]) expect(e.message).toContain(ROLE_LABELS[r]);
      expect(e.message).toContain('请联系管理员开通');
    },
  );

  it('grants the union of several roles', () => {
    const both = op(['sales', 'finance']);
    expect(can(both, 'create')).toBe(true);
    expect(can(both, 'payments')).toBe(true);
    expect(can(both, 'approve')).toBe(false);
  });

  it('refuses everything to a disabled account, and says so', () => {
    for (const action of ACTIONS) expect(can(op(['admin'], false), action)).toBe(false);
    expect(() => assertCan(op(['admin'], false), 'view')).toThrow('该账号已停用');
  });

  it('refuses an operator with no known role', () => {
    expect(ACTIONS.filter((a) => can(op([]), a))).toEqual([]);
  });
});

/** One real core call per action that has one; setup runs as a separate admin. */
let phones = 0;
type RealCall = (actor: Actor, actorId: number) => Promise<unknown>;

let setup: Actor;
let other: Actor;
let sku: string;

/** The real core call for each action, each on a fresh customer made by `setup`. */
function realCalls(h: Harness): Partial<Record<Action, RealCall>> {
  async function deleted() {
    const c = await newCustomer(h, setup);
    const req = await requestDeletion(h.core, setup, c.code, '权限测试');
    const { recycleEntryId } = await approve(h.core, other, req.id);
    return { c, recycleEntryId: recycleEntryId! };
  }

  return {
    view: async (a, id) => {
      const c = await newCustomer(h, setup, { ownerId: id });
      await searchCustomers(h.core, a, { code: c.code });
      return precheck(h.core, a, c.code);
    },
    create: (a) => createCustomer(h.core, a, { name: `权限新建${Math.random()}` }),
    edit: async (a, id) =>
      editCustomer(h.core, a, (await newCustomer(h, setup, { ownerId: id })).code, { note: '改一下' }),
    deactivate: async (a, id) =>
      deactivate(h.core, a, (await newCustomer(h, setup, { ownerId: id })).code, { reason: '客户要求' }),
    reactivate: async (a) => {
      const c = await newCustomer(h, setup);
      await deactivate(h.core, setup, c.code, { reason: '客户要求' });
      return reactivate(h.core, a, c.code);
    },
    requestDeletion: async (a, id) =>
      requestDeletion(h.core, a, (await newCustomer(h, setup, { ownerId: id })).code, '不再合作'),
    approve: async (a) => {
      const c = await newCustomer(h, setup);
      return approve(h.core, a, (await requestDeletion(h.core, setup, c.code, '待审')).id);
    },
    restore: async (a) => restoreCustomer(h.core, a, (await deleted()).c.code),
    purge: async (a) => purgeEntry(h.core, a, (await deleted()).recycleEntryId, { force: true }),
    revealPersonal: async (a) =>
      revealCustomer(
        h.core,
        a,
        (await newCustomer(h, setup, { phone: `135${String(++phones).padStart(8, '0')}` })).code,
      ),
    orders: async (a) => createOrder(h.core, a, { customerCode: (await newCustomer(h, setup)).code, total: '10.00' }),
    payments: async (a) => {
      const order = await createOrder(h.core, setup, {
        customerCode: (await newCustomer(h, setup)).code,
        total: '10.00',
      });
      const r = await createReceivable(h.core, setup, {
        orderNumber: order.number,
        amount: '10.00',
        dueDate: '2026-12-31',
      });
      return recordPayment(h.core, a, r.id, '10.00');
    },
  };
}

eachDialect('role × action through real core calls', (h) => {
  beforeAll(async () => {
    setup = await h.actor('权限准备员', ['admin']);
    other = await h.actor('权限另一位管理员', ['admin']);
    sku = 'P-PERM';
    await h.core.models.Product.findOrCreate({
      where: { sku },
      defaults: { sku, name: '权限测试品', unit: '件', price: '1.00' },
    });
  });

  const calls = realCalls(h);

  for (const role of ROLES) {
    it(`${role}: every allowed call works, every other one is refused with NOT_PERMITTED`, async () => {
      const actor = await h.actor(`权限-${role}`, [role]);
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const [action, call] of Object.entries(calls) as [Action, RealCall][]) {
        expected[action] = PERMISSIONS[action].includes(role) ? 'ok' : 'NOT_PERMITTED';
        try {
          await call(actor, actor.operator.id!);
          outcome[action] = 'ok';
        } catch (err) {
          outcome[action] = err instanceof DomainError ? err.code : String(err);
        }
      }
      expect(outcome).toEqual(expected);
    });
  }

  it('leave nothing behind when a call is refused', async () => {
    const viewer = await h.actor('权限-viewer', ['viewer']);
    const before = await h.core.models.Customer.count();
    const events = await h.core.models.AuditEvent.count();
    const err = await refusal(createCustomer(h.core, viewer, { name: '只读员想建档' }));
    expect(err.message).toBe('权限-viewer 没有「新建客户」权限, 需要以下角色之一: 管理员 / 销售。请联系管理员开通。');
    expect(await h.core.models.Customer.count()).toBe(before);
    expect(await h.core.models.AuditEvent.count()).toBe(events);
  });
});

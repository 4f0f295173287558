import { beforeAll, expect, it } from '@jest/globals';
import { verifyAuditChain } from '../../../core/audit.js';
import type { Actor } from '../../../core/context.js';
import { takeBackup } from '../../../core/data/backup/backup.js';
import { stageCustomerFromBackup } from '../../../core/data/backup/one-customer.js';
import { editCustomer } from '../../../core/customers/edit.js';
import { getCustomer } from '../../../core/customers/search.js';
import { approve } from '../../../core/deletion/approvals.js';
import { requestDeletion } from '../../../core/deletion/request.js';
import { purgeEntry, restoreCustomer } from '../../../core/deletion/recycle.js';
import { createOrder } from '../../../core/orders.js';
import { cancelOrderByNumber } from '../../../core/orders/clear.js';
import { eachDialect, type Harness } from '../../helpers/db.js';
import { expectRefused, newCustomer } from '../../core/fixtures.js';

const T0 = new Date('2026-03-01T02:00:00Z');

interface Actors {
  admin: Actor;
  sales: Actor;
  approver: Actor;
}

/** Registers a beforeAll that creates the three actors and fixes the clock; the actors are filled in then. */
function setupActors(h: Harness): Actors {
  const actors = {} as Actors;
  beforeAll(async () => {
    actors.admin = await h.actor('单客户还原管理员', ['admin']);
    actors.sales = await h.actor('单客户还原销售', ['sales']);
    actors.approver = await h.actor('单客户还原审批人', ['approver']);
    h.setNow(T0);
  });
  return actors;
}

eachDialect('restore one customer from a backup: a purged customer', (h: Harness) => {
  const a = setupActors(h);

  it('brings back a purged customer with its name and a lost order, through the recycle bin, and changes nothing else', async () => {
    const gone = await newCustomer(h, a.admin, {
      name: '误删贸易有限公司',
      phone: '13900001111',
      ownerId: a.sales.operator.id!,
    });
    const order = await createOrder(h.core, a.admin, { customerCode: gone.code, total: '1200.00' });
    await cancelOrderByNumber(h.core, a.admin, order.number);
    const backup = await takeBackup(h.core, a.admin, { reason: 'manual' });
    // After the backup: a mistaken delete, purged at once, and the cancelled order tidied away.
    const req = await requestDeletion(h.core, a.sales, gone.code, '录错了');
    const { recycleEntryId } = await approve(h.core, a.approver, req.id);
    await purgeEntry(h.core, a.admin, recycleEntryId!, { force: true });
    await h.core.models.SalesOrder.destroy({ where: { id: order.id } });
    const later = await newCustomer(h, a.admin, { name: '备份之后新建有限公司' });
    expect((await h.core.models.Customer.findByPk(gone.id))!.name).toBe(`已删除客户-${gone.id}`);

    const { entry, found } = await stageCustomerFromBackup(h.core, a.admin, backup.path, gone.code.toLowerCase());
    expect({ code: entry.customerCode, name: entry.customerName, orders: found.rows.sales_orders.length }).toEqual({
      code: gone.code,
      name: '误删贸易有限公司',
      orders: 1,
    });
    // Staged only: nothing live changed yet.
    expect((await h.core.models.Customer.findByPk(gone.id))!.name).toBe(`已删除客户-${gone.id}`);

    const r = await restoreCustomer(h.core, a.approver, gone.code);
    expect(r.status).toBe('active');
    const back = await getCustomer(h.core, a.admin, gone.code);
    expect({ name: back!.name, status: back!.status }).toEqual({ name: '误删贸易有限公司', status: 'active' });
    expect(await h.core.models.SalesOrder.count({ where: { customerId: gone.id } })).toBe(1);
    expect(await getCustomer(h.core, a.admin, later.code)).not.toBeNull();
    const events = await h.core.models.AuditEvent.findAll({ where: { customerId: gone.id }, order: [['id', 'ASC']] });
    expect(events.map((e) => e.action).slice(-2)).toEqual(['customer.backup-staged', 'customer.restore']);
    expect(JSON.parse(events.at(-1)!.diff).info).toMatchObject({ backup: backup.path.split('/').pop(), documents: 1 });
    expect((await verifyAuditChain(h.core)).ok).toBe(true);
  });
});

eachDialect('restore one customer from a backup: repairs and refusals', (h: Harness) => {
  const a = setupActors(h);

  it("repairs a customer damaged by a bad edit, leaving a colleague's later edit of another customer alone", async () => {
    const hurt = await newCustomer(h, a.admin, { name: '被改坏有限公司', contact: '王经理' });
    const other = await newCustomer(h, a.admin, { name: '无关客户有限公司' });
    const backup = await takeBackup(h.core, a.admin, { reason: 'manual' });
    await editCustomer(h.core, a.admin, hurt.code, { name: '乱改的名字', contact: '不知道' });
    await editCustomer(h.core, a.admin, other.code, { note: '备份之后的正常修改' });
    await stageCustomerFromBackup(h.core, a.admin, backup.path, hurt.code);
    await restoreCustomer(h.core, a.approver, hurt.code);
    const fixed = await getCustomer(h.core, a.admin, hurt.code);
    expect({ name: fixed!.name, contact: fixed!.contact }).toEqual({ name: '被改坏有限公司', contact: '王经理' });
    expect((await getCustomer(h.core, a.admin, other.code))!.note).toBe('备份之后的正常修改');
  });

  it('refuses with a Chinese reason: a code the backup lacks, a second staging, and a non-admin', async () => {
    const c = await newCustomer(h, a.admin);
    const backup = await takeBackup(h.core, a.admin, { reason: 'manual' });
    await expectRefused(
      stageCustomerFromBackup(h.core, a.admin, backup.path, 'C19990001'),
      'NOT_FOUND',
      '里没有编码为「C19990001」的客户',
    );
    await stageCustomerFromBackup(h.core, a.admin, backup.path, c.code);
    await expectRefused(
      stageCustomerFromBackup(h.core, a.admin, backup.path, c.code),
      'CONFLICT',
      `回收站里已有客户 ${c.code}`,
    );
    await expectRefused(stageCustomerFromBackup(h.core, a.sales, backup.path, c.code), 'NOT_PERMITTED');
  });
});

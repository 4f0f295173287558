import { beforeAll, expect, it } from '@jest/globals';
import { auditPersonalValues } from '../../core/audit.js';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { editCustomer } from '../../core/customers/edit.js';
import type { CustomerInput } from '../../core/customers/schema.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { eventsOf, expectRefused, newCustomer, uniqueName } from './fixtures.js';

let admin: Actor;
let sales: Actor;

/** An admin (CLI) and a salesperson (WeCom); each block gets its own database. */
function setupActors(h: Harness): void {
  beforeAll(async () => {
    admin = await h.actor('建档管理员', ['admin']);
    sales = await h.actor('建档销售', ['sales'], 'wecom');
  });
}

eachDialect('create customers: validation and cleaned input', (h) => {
  setupActors(h);

  it('report every bad field at once, in Chinese (VALIDATION)', async () => {
    const input = {
      name: '  ',
      phone: '电话abc',
      category: '外星人',
      contact: '王'.repeat(101),
      foo: 1,
    } as unknown as CustomerInput;
    const err = await expectRefused(createCustomer(h.core, admin, input), 'VALIDATION', '输入有误');
    expect(err.details.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: '客户名称不能为空' },
        { field: 'phone', message: '手机/电话格式不对, 应为 5–20 位数字' },
        {
          field: 'category',
          message:
            '客户分类「外星人」不在客户分类表中。可选: 经销商、批发商、零售商、终端客户、电商、其他; 如需新增请联系管理员。',
        },
        { field: 'contact', message: '联系人最多 100 个字' },
        { field: 'foo', message: '不认识的字段「foo」' },
      ]),
    );
    expect(err.details.errors).toHaveLength(5);
    await expectRefused(createCustomer(h.core, admin, {}), 'VALIDATION', '客户名称必填');
  });

  it('create with cleaned input: trimmed, full-width phone digits, owner and category kept', async () => {
    const op = await h.operator('建档销售', ['sales']);
    const { customer, duplicates } = await createCustomer(h.core, sales, {
      name: '  杭州青禾贸易有限公司 ',
      contact: '陈静',
      phone: '１３８ ００１３ ８０００',
      category: '经销商',
      ownerId: op.id,
      address: '杭州市西湖区文三路 1 号',
    });
    expect(duplicates).toEqual([]);
    expect(customer).toMatchObject({
      name: '杭州青禾贸易有限公司',
      contact: '陈静',
      phone: '13800138000',
      phoneMasked: '138****8000',
      category: '经销商',
      ownerId: op.id,
      status: 'active',
      version: 1,
    });
    const [event] = await eventsOf(h.core, customer.id);
    expect(event).toMatchObject({
      action: 'customer.create',
      door: 'wecom',
      operatorName: '建档销售',
      customerCode: customer.code,
    });
  });
});

eachDialect('create customers: likely duplicates; edit: the audit diff', (h) => {
  setupActors(h);

  it('stop a likely duplicate (same phone or normalised name) unless told to go on', async () => {
    const first = await newCustomer(h, admin, {
      ownerId: sales.operator.id!,
      name: '南京蓝海物流有限公司',
      phone: '13912340000',
    });
    const err = await expectRefused(
      createCustomer(h.core, admin, { name: '南京 蓝海物流 股份有限公司' }),
      'CONFLICT',
      '可能与已有客户重复',
      first.code,
    );
    expect(err.details.duplicates).toEqual([expect.objectContaining({ code: first.code, matchedOn: ['name'] })]);
    const { customer, duplicates } = await createCustomer(
      h.core,
      admin,
      { name: '南京蓝海物流二部', phone: '139-1234-0000' },
      { allowDuplicates: true },
    );
    expect(duplicates).toEqual([expect.objectContaining({ code: first.code, matchedOn: ['phone'] })]);
    expect(customer.code).not.toBe(first.code);
  });

  it('record a field-level before/after diff of an edit in the audit trail', async () => {
    const c = await newCustomer(h, admin, {
      ownerId: sales.operator.id!,
      category: '经销商',
      phone: '13700001111',
      note: '老客户',
    });
    const { customer, changes } = await editCustomer(h.core, sales, c.code, {
      category: '零售商',
      phone: '13700002222',
      note: '老客户',
      version: c.version,
    });
    expect(changes).toEqual({ category: ['经销商', '零售商'], phone: ['13700001111', '13700002222'] });
    expect(customer.version).toBe(c.version + 1);
    const events = await eventsOf(h.core, c.id);
    expect(events.map((e) => e.action)).toEqual(['customer.create', 'customer.edit']);
    const diff = JSON.parse(events[1]!.diff) as { before: Record<string, unknown>; after: Record<string, unknown> };
    expect(Object.keys(diff.before).sort()).toEqual(['category', 'phone']);
    expect(diff.before.category).toBe('经销商');
    expect(diff.after.category).toBe('零售商');
    // Personal values are held apart (encrypted) so purge can erase them without breaking the chain.
    expect(events[1]!.diff).not.toContain('1370000');
    expect(auditPersonalValues(h.core, events[1]!)).toEqual({
      'before.phone': '13700001111',
      'after.phone': '13700002222',
    });
  });
});

eachDialect('edit customers: versions', (h) => {
  setupActors(h);

  it('refuse a stale version with "已被他人修改, 请刷新" and change nothing', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id!, note: '原始' });
    await editCustomer(h.core, admin, c.code, { note: '第一人', version: c.version });
    const err = await expectRefused(
      editCustomer(h.core, sales, c.code, { note: '第二人', version: c.version }),
      'STALE_VERSION',
      '已被他人修改, 请刷新',
    );
    expect(err.details).toMatchObject({ expected: c.version, actual: c.version + 1 });
    const events = await eventsOf(h.core, c.id);
    expect(events.map((e) => e.action)).toEqual(['customer.create', 'customer.edit']);
    const fresh = await h.core.models.Customer.findByPk(c.id);
    expect(fresh?.note).toBe('第一人');
  });

  it('take the version as text from a form, and refuse one that is not a number', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const { customer } = await editCustomer(h.core, admin, c.code, { note: '表单提交', version: String(c.version) });
    expect(customer.version).toBe(c.version + 1);
    await expectRefused(
      editCustomer(h.core, admin, c.code, { note: '再改', version: String(c.version) }),
      'STALE_VERSION',
    );
    await expectRefused(
      editCustomer(h.core, admin, c.code, { note: '再改', version: 'v2' }),
      'VALIDATION',
      '版本号无效',
    );
  });

  it('let exactly one of two simultaneous edits of the same version win', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const results = await Promise.allSettled([
      editCustomer(h.core, admin, c.code, { note: '甲', version: c.version }),
      editCustomer(h.core, sales, c.code, { note: '乙', version: c.version }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'STALE_VERSION' });
  });
});

eachDialect('edit customers: validation, edits that change nothing, clearing a field', (h) => {
  setupActors(h);

  it('validate edits too, and say when there is nothing to change', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id! });
    const err = await expectRefused(
      editCustomer(h.core, admin, c.code, { phone: '12', category: '未知' }),
      'VALIDATION',
    );
    expect((err.details.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['category', 'phone']);
    await expectRefused(editCustomer(h.core, admin, c.code, {}), 'VALIDATION', '没有要修改的字段');
    await expectRefused(
      editCustomer(h.core, admin, 'NO-SUCH', { note: 'x' }),
      'CUSTOMER_NOT_FOUND',
      '找不到编码为「NO-SUCH」的客户',
    );
  });

  it('append no audit event for an edit that changes nothing', async () => {
    const c = await newCustomer(h, admin, { ownerId: sales.operator.id!, note: '不变' });
    const { changes } = await editCustomer(h.core, admin, c.code, { note: '不变', name: c.name });
    expect(changes).toEqual({});
    expect((await eventsOf(h.core, c.id)).map((e) => e.action)).toEqual(['customer.create']);
  });

  it('clear a personal field with null and record it', async () => {
    const c = await newCustomer(h, admin, {
      ownerId: sales.operator.id!,
      name: uniqueName('清空'),
      address: '上海市徐汇区漕溪北路 88 号',
    });
    const { customer, changes } = await editCustomer(h.core, admin, c.code, { address: null });
    expect(customer.address).toBeNull();
    expect(changes).toEqual({ address: ['上海市徐汇区漕溪北路 88 号', null] });
  });
});

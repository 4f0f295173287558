import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Actor } from '../../core/context.js';
import { createCustomer } from '../../core/customers/create.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer } from '../core/fixtures.js';
import { clientAs, startAdmin, type AdminClient } from './helpers.js';

type Cmp = {
  keep: string;
  customers: { code: string }[];
  fields: { field: string; label: string; values: { code: string; value: string }[] }[];
  text: string;
};
type AdminServer = Awaited<ReturnType<typeof startAdmin>>;

/** A customer and a likely duplicate of it: a similar name and the same note, another contact and phone. */
async function keepAndDuplicate(h: Harness, admin: Actor) {
  const keep = await newCustomer(h, admin, {
    name: '绍兴合并保留有限公司',
    contact: '赵一',
    phone: '13811110001',
    note: '保留方备注',
  });
  const dup = (
    await createCustomer(
      h.core,
      admin,
      { name: '绍兴合并保留', contact: '钱二', phone: '13811110002', note: '保留方备注' },
      { allowDuplicates: true },
    )
  ).customer;
  return { keep, dup };
}

eachDialect('back office: create with an empty code', (h) => {
  let server: AdminServer;
  let boss: AdminClient;
  beforeAll(async () => {
    server = await startAdmin(h.core);
    boss = (await clientAs(h.core, server.url, 'merge-boss', ['admin'])).client;
  });
  afterAll(async () => server?.close());

  it('the code is optional in the form, and an empty one gets the next automatic code', async () => {
    const state = await boss.pageState();
    const customers = state.resources.find((r) => r.id === 'customers') as unknown as {
      properties: Record<string, { isRequired: boolean }>;
    };
    expect(customers.properties.code!.isRequired).toBe(false);
    const res = await boss.post('/admin/api/resources/customers/actions/new', {
      code: '',
      name: '湖州空编码新建有限公司',
    });
    expect(res.json<{ notice: { type: string; message: string } }>().notice).toMatchObject({ type: 'success' });
    expect((await h.core.models.Customer.findOne({ where: { name: '湖州空编码新建有限公司' } }))!.code).toMatch(
      /^C\d{8}$/,
    );
  });
});

eachDialect('back office: 合并 compared side by side with field-by-field choice', (h) => {
  let server: AdminServer;
  let boss: AdminClient;
  let admin: Actor;
  beforeAll(async () => {
    server = await startAdmin(h.core);
    boss = (await clientAs(h.core, server.url, 'merge-boss', ['admin'])).client;
    admin = await h.actor('后台合并准备', ['admin']);
  });
  afterAll(async () => server?.close());

  it('合并 compares first, then files the request with the values picked per field', async () => {
    const { keep, dup } = await keepAndDuplicate(h, admin);
    const cmp = (await boss.action('customers', keep.id, 'merge', { stage: 'compare', absorb: dup.code })).json<{
      comparison: Cmp;
    }>().comparison;
    expect(cmp.customers.map((c) => c.code)).toEqual([keep.code, dup.code]);
    expect(cmp.fields.map((f) => f.label)).toEqual(['客户名称', '联系人', '手机']);
    expect(cmp.fields.find((f) => f.field === 'contact')!.values).toEqual([
      { code: keep.code, value: '赵一' },
      { code: dup.code, value: '钱二' },
    ]);
    expect(JSON.stringify(cmp)).not.toContain('13811110002');
    expect(await h.core.models.CustomerMerge.count()).toBe(0);

    const bad = (
      await boss.action('customers', keep.id, 'merge', {
        stage: 'compare',
        absorb: dup.code,
        'pick.contact': 'C19990001',
      })
    ).json<{ notice: { message: string } }>();
    expect(bad.notice.message).toContain(`「C19990001」不是这次合并的客户, 请在 ${keep.code} / ${dup.code} 中选择`);
    const noReason = (
      await boss.action('customers', keep.id, 'merge', { stage: 'submit', absorb: dup.code, reason: '' })
    ).json<{ notice: { message: string } }>();
    expect(noReason.notice.message).toContain('请写明合并原因');

    const filed = (
      await boss.action('customers', keep.id, 'merge', {
        stage: 'submit',
        absorb: dup.code,
        reason: '重复录入',
        'pick.contact': dup.code,
        'pick.phone': dup.code,
      })
    ).json<{ mergeId: number; notice: { message: string } }>();
    expect(filed.notice.message).toBe(
      `已提交合并申请 #${filed.mergeId} (${dup.code} 并入 ${keep.code}), 等待另一位审批人批准 (${filed.notice.message.match(/\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 前有效\)/)![1]} 前有效)。`,
    );
    const merge = (await h.core.models.CustomerMerge.findByPk(filed.mergeId))!;
    const values = JSON.parse(merge.fieldValues!) as Record<string, unknown>;
    expect(values.contact).toBe('钱二');
    expect(values.phoneHash).toBeDefined();
    expect(values.name).toBeUndefined();
  });
});

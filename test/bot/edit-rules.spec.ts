import { beforeAll, expect, it } from '@jest/globals';
import { consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { getCustomer } from '../../core/customers/search.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { newCustomer, uniqueName } from '../core/fixtures.js';

/** Every field word 修改客户's help may list, and the customer attribute it must change. */
const FIELD_OF: Record<string, string> = {
  名称: 'name',
  客户名称: 'name',
  联系人: 'contact',
  手机: 'phone',
  电话: 'phone',
  地址: 'address',
  分类: 'category',
  客户分类: 'category',
  备注: 'note',
  负责人: 'ownerId',
};

/** A bot (outbox not dispatched) and WeCom users: an admin, two sales (张三, 李四) and an approver. */
async function startEditBot(h: Harness): Promise<{ bot: BotRuntime; admin: Actor; ids: Record<string, number> }> {
  const bot = createBot(h.core, { dispatch: false });
  await h.operator('改资料管理员', ['admin'], { wecom: 'edit-admin' });
  const admin = await h.actor('改资料管理员', ['admin']);
  const ids: Record<string, number> = {};
  ids.zhang = (await h.operator('改资料张三', ['sales'], { wecom: 'edit-zhang' })).id;
  ids.li = (await h.operator('改资料李四', ['sales'], { wecom: 'edit-li' })).id;
  await h.operator('改资料审批', ['approver'], { wecom: 'edit-approver' });
  return { bot, admin, ids };
}

eachDialect('修改客户 never retargets; every listed field', (h) => {
  let bot: BotRuntime, admin: Actor, ids: Record<string, number>;
  beforeAll(async () => {
    ({ bot, admin, ids } = await startEditBot(h));
  });
  const say = async (who: string, text: string) =>
    (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');

  it('编码= and 客户编码= are the new code, never the customer to edit: pointed to 改编码, nothing changes', async () => {
    const target = await newCustomer(h, admin, { ownerId: ids.zhang, note: '原备注九' });
    const other = await newCustomer(h, admin, { ownerId: ids.zhang, note: '原备注十一' });
    for (const word of ['编码', '客户编码']) {
      const reply = await say('edit-zhang', `修改客户 ${target.code} ${word}=${other.code} 备注=改了`);
      expect(reply).toBe(
        `「修改客户」不能改客户编码: ${word}=${other.code} 会被当作新编码, 而不是要修改的客户 (要修改的客户写在命令后的第一个位置)。改编码需要审批, 请发「改编码 ${target.code} ${other.code}」。本次没有做任何修改。`,
      );
    }
    // Without a positional code the 编码= still does not pick a customer.
    expect(await say('edit-zhang', `修改客户 编码=${other.code} 备注=改了`)).toContain('缺少');
    const { Customer } = h.core.models;
    expect((await Customer.findOne({ where: { code: other.code } }))!.note).toBe('原备注十一');
    expect((await Customer.findOne({ where: { code: target.code } }))!.note).toBe('原备注九');
    // The customer is the first positional argument; stray words are refused, not dropped.
    expect(await say('edit-zhang', `修改客户 备注=后写编码 ${target.code}`)).toContain(`已修改客户 ${target.code}`);
    expect(await say('edit-zhang', `修改客户 ${target.code} 地址=杭州市 西湖区`)).toBe(
      `看不懂「西湖区」: 要修改的客户写在最前面, 其余请写成 字段=值 (值里不要有空格)。本次没有做任何修改。\n例如: 修改客户 C20260012 联系人=李娜 手机=13900001111`,
    );
  });

  it('each field word the help lists changes that field', async () => {
    const help = await say('edit-admin', '帮助 修改客户');
    const listed = /字段: ([^;]+);/.exec(help)![1]!.split(/[、/]/);
    expect([...listed].sort()).toEqual(Object.keys(FIELD_OF).sort());
    const c = await newCustomer(h, admin, { category: '零售商' });
    let n = 0;
    for (const word of listed) {
      n++;
      const field = FIELD_OF[word]!;
      const value = {
        name: uniqueName(`字段${n}`),
        contact: `联系人${n}`,
        phone: `1390000${String(1000 + n)}`,
        address: `杭州市文三路${n}号`,
        category: n % 2 ? '经销商' : '批发商',
        note: `备注${n}`,
        ownerId: n % 2 ? '改资料李四' : '改资料张三',
      }[field]!;
      const reply = await say('edit-admin', `修改客户 ${c.code} ${word}=${value}`);
      expect(reply).toContain(`已修改客户 ${c.code}:`);
      const view = (await getCustomer(h.core, admin, c.code))!;
      const expected = field === 'ownerId' ? (value === '改资料李四' ? ids.li : ids.zhang) : value;
      expect({ word, value: (view as unknown as Record<string, unknown>)[field] }).toEqual({ word, value: expected });
    }
  });
});

eachDialect('修改客户: owners by name; deleted codes', (h) => {
  let bot: BotRuntime, admin: Actor, ids: Record<string, number>;
  beforeAll(async () => {
    ({ bot, admin, ids } = await startEditBot(h));
  });
  const say = async (who: string, text: string) =>
    (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');

  it('shows owners by name in the reply and records them by name in the audit diff', async () => {
    const c = await newCustomer(h, admin, { ownerId: ids.zhang });
    expect(await say('edit-admin', `修改客户 ${c.code} 负责人=改资料李四`)).toBe(
      `已修改客户 ${c.code}:\n• 负责人: 改资料张三 → 改资料李四`,
    );
    const audit = await h.core.models.AuditEvent.findOne({ where: { customerCode: c.code, action: 'customer.edit' } });
    const diff = JSON.parse(audit!.diff) as { before: Record<string, unknown>; after: Record<string, unknown> };
    expect(diff.before).toMatchObject({ ownerId: ids.zhang, owner: '改资料张三' });
    expect(diff.after).toMatchObject({ ownerId: ids.li, owner: '改资料李四' });
  });

  it('a deleted code says so: with the restore command to approvers, plainly to others', async () => {
    const c = await newCustomer(h, admin, { ownerId: ids.zhang });
    await h.core.models.Customer.update({ status: 'deleted' }, { where: { code: c.code } });
    expect(await say('edit-approver', `客户 ${c.code}`)).toBe(
      `${c.code} 已删除 (在回收站, 可「恢复客户 ${c.code}」)。`,
    );
    expect(await say('edit-zhang', `客户 ${c.code}`)).toBe(`${c.code} 已删除。如需恢复, 请联系审批人或管理员。`);
    expect(await say('edit-zhang', `修改客户 ${c.code} 备注=x`)).toBe(
      `${c.code} 已删除。如需恢复, 请联系审批人或管理员。`,
    );
    expect(await say('edit-zhang', `停用客户 ${c.code} 客户要求`)).toBe(
      `${c.code} 已删除。如需恢复, 请联系审批人或管理员。`,
    );
  });
});

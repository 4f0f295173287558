import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import { registerCustomers } from '../../cli/commands/customers.js';
import { consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { Actor } from '../../core/context.js';
import { editCustomer } from '../../core/customers/edit.js';
import { ownerMay, type OwnerAction } from '../../core/customers/ownership.js';
import { deactivate } from '../../core/customers/status.js';
import { requestDeletion } from '../../core/deletion/request.js';
import type { Role } from '../../models/index.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { clientAs, startAdmin, type AdminClient } from '../admin/helpers.js';
import { expectRefused, newCustomer } from './fixtures.js';

const ME = 7;
const op = (roles: Role[]) => ({ id: ME, roleList: () => roles });
const scope = (s: 'own' | 'all') => ({ config: { SALES_SCOPE: s } }) as never;

// (roles, whose customer, action, SALES_SCOPE) → allowed. The role table (core/permissions.ts) is a separate check.
const TABLE: Array<[Role[], 'own' | 'other' | 'nobody', OwnerAction, 'own' | 'all', boolean]> = [
  [['sales'], 'own', 'edit', 'own', true],
  [['sales'], 'other', 'edit', 'own', false],
  [['sales'], 'nobody', 'edit', 'own', false],
  [['sales'], 'own', 'deactivate', 'own', true],
  [['sales'], 'other', 'deactivate', 'own', false],
  [['sales'], 'own', 'requestDeletion', 'own', true],
  [['sales'], 'other', 'requestDeletion', 'own', false],
  [['sales'], 'own', 'changeOwner', 'own', true],
  [['sales'], 'other', 'changeOwner', 'own', false],
  [['sales'], 'own', 'merge', 'own', true],
  [['sales'], 'other', 'merge', 'own', false],
  [['sales'], 'own', 'recode', 'own', true],
  [['sales'], 'other', 'recode', 'own', false],
  [['sales'], 'other', 'handle', 'own', false],
  [['sales'], 'other', 'edit', 'all', true],
  [['sales'], 'other', 'deactivate', 'all', true],
  [['sales'], 'other', 'requestDeletion', 'all', true],
  [['sales'], 'other', 'changeOwner', 'all', true],
  [['sales'], 'other', 'merge', 'all', true],
  [['sales', 'admin'], 'other', 'edit', 'own', true],
  [['sales', 'finance'], 'other', 'deactivate', 'own', true],
  [['admin'], 'other', 'requestDeletion', 'own', true],
  [['admin'], 'nobody', 'changeOwner', 'own', true],
  [['finance'], 'other', 'deactivate', 'own', true],
  [['approver'], 'other', 'merge', 'own', true],
  [['sales', 'approver'], 'other', 'requestDeletion', 'own', false],
];

describe('ownerMay: the one ownership rule', () => {
  it.each(TABLE)('%j on %s customer, %s, SALES_SCOPE=%s → %s', (roles, whose, action, salesScope, allowed) => {
    const ownerId = whose === 'own' ? ME : whose === 'other' ? ME + 1 : null;
    expect(ownerMay(scope(salesScope), op(roles), { ownerId }, action)).toBe(allowed);
  });
});

let bot: BotRuntime;
let admin: Actor;
let zhang: Actor;
let server: Awaited<ReturnType<typeof startAdmin>>;
let wang: AdminClient;
const c: Record<string, { id: number; code: string }> = {};
const say = async (who: string, text: string) =>
  (await consoleSay(bot.deps, { as: who, door: 'wecom', group: false }, { text })).map((r) => r.text).join('\n');

/** 张三 and 李四 (chat) and wang (back office), all sales, each owning one customer. */
function setupOwners(h: Harness): void {
  beforeAll(async () => {
    bot = createBot(h.core, { dispatch: false });
    server = await startAdmin(h.core);
    admin = await h.actor('归属管理员', ['admin']);
    zhang = { operator: await h.operator('归属张三', ['sales'], { wecom: 'own-zhang' }), door: 'cli' };
    const li = await h.operator('归属李四', ['sales'], { wecom: 'own-li' });
    const w = await clientAs(h.core, server.url, 'own-wang', ['sales']);
    wang = w.client;
    c.zhang = await newCustomer(h, admin, { ownerId: zhang.operator.id! });
    c.li = await newCustomer(h, admin, { ownerId: li.id });
    c.wang = await newCustomer(h, admin, { ownerId: w.operator.id });
  });
  afterAll(async () => server?.close());
}

eachDialect('ownership at every door: core, chat (before the prompt, and 帮助)', (h) => {
  setupOwners(h);

  it("core refuses a colleague's customer for edit, owner change, deactivate and deletion, and writes nothing", async () => {
    await expectRefused(
      editCustomer(h.core, zhang, c.li!.code, { note: 'x' }),
      'NOT_PERMITTED',
      `客户 ${c.li!.code} 不归 归属张三 负责; 销售只能修改自己负责的客户`,
    );
    await expectRefused(
      deactivate(h.core, zhang, c.li!.code, { reason: '客户要求' }),
      'NOT_PERMITTED',
      '销售只能停用自己负责的客户',
    );
    await expectRefused(
      requestDeletion(h.core, zhang, c.li!.code, '重复录入'),
      'NOT_PERMITTED',
      '销售只能申请删除自己负责的客户',
    );
    expect(await h.core.models.ApprovalRequest.count({ where: { customerCode: c.li!.code } })).toBe(0);
    // Handing over one's own customer is allowed; it is then no longer theirs to edit.
    const li = await h.operator('归属李四', ['sales']);
    const moved = await editCustomer(h.core, zhang, c.zhang!.code, { ownerId: li.id });
    expect(moved.customer.ownerId).toBe(li.id);
    await expectRefused(
      editCustomer(h.core, zhang, c.zhang!.code, { ownerId: zhang.operator.id }),
      'NOT_PERMITTED',
      '销售只能修改自己负责的客户',
    );
    await editCustomer(h.core, admin, c.zhang!.code, { ownerId: zhang.operator.id });
  });

  it('chat refuses before any confirmation prompt, and 帮助 lists only the commands the roles allow', async () => {
    const stop = await say('own-zhang', `停用客户 ${c.li!.code} 客户要求`);
    expect(stop).toContain(`客户 ${c.li!.code} 不归 归属张三 负责; 销售只能停用自己负责的客户`);
    expect(stop).not.toContain('确认');
    const del = await say('own-zhang', `删除客户 ${c.li!.code} 重复录入`);
    expect(del).toContain('销售只能申请删除自己负责的客户');
    expect(del).not.toContain('确认');
    // Nothing is waiting for 确认: a stray 确认 has nothing to confirm.
    expect(await say('own-zhang', `确认 ${c.li!.code}`)).not.toContain('已停用');
    expect((await h.core.models.Customer.findOne({ where: { code: c.li!.code } }))!.status).toBe('active');
    expect(await say('own-zhang', `修改客户 ${c.li!.code} 备注=抢单`)).toContain('销售只能修改自己负责的客户');
    expect(await say('own-zhang', `停用客户 ${c.zhang!.code} 客户要求`)).toContain(`请在 `);

    const help = await say('own-zhang', '帮助');
    expect(help).toContain('• 修改客户');
    expect(help).not.toContain('• 待审批');
    expect(help).not.toContain('• 批准合并');
    expect(help).not.toContain('• 恢复客户');
    await h.operator('归属审批', ['approver'], { wecom: 'own-approver' });
    const approverHelp = await say('own-approver', '帮助');
    expect(approverHelp).toContain('• 待审批');
    expect(approverHelp).not.toContain('• 修改客户');
  });
});

eachDialect('ownership at every door: back office, CLI, SALES_SCOPE=all', (h) => {
  setupOwners(h);

  it("the back office hides edit, 停用 and 申请删除 on a colleague's customer, and core refuses a forged request", async () => {
    type Rec = { recordActions: { name: string }[] };
    const mine = (await wang.action('customers', c.wang!.id, 'show'))
      .json<{ record: Rec }>()
      .record.recordActions.map((a) => a.name);
    expect(mine).toEqual(expect.arrayContaining(['edit', 'deactivate', 'requestDeletion']));
    const theirs = (await wang.action('customers', c.li!.id, 'show'))
      .json<{ record: Rec }>()
      .record.recordActions.map((a) => a.name);
    expect(theirs).toContain('show');
    expect(theirs).not.toContain('edit');
    expect(theirs).not.toContain('deactivate');
    expect(theirs).not.toContain('requestDeletion');
    const forged = (await wang.action('customers', c.li!.id, 'requestDeletion', { reason: '重复录入' })).json<{
      notice: { message: string };
    }>();
    expect(forged.notice.message).toContain('销售只能申请删除自己负责的客户');
    expect(await h.core.models.ApprovalRequest.count({ where: { customerCode: c.li!.code } })).toBe(0);
  });

  it('the CLI (as a salesperson) is refused by the same rule', async () => {
    const program = new Command('steward').exitOverride();
    registerCustomers(program, { open: async () => h.core, close: async () => undefined });
    const err: string[] = [];
    const o = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      await program.parseAsync(
        ['customers', 'merge', c.zhang!.code, c.li!.code, '--reason', '重复', '--as', 'own-zhang'],
        { from: 'user' },
      );
    } finally {
      o.mockRestore();
      e.mockRestore();
      process.exitCode = undefined;
    }
    expect(err.join('')).toContain(`客户 ${c.li!.code} 不归 归属张三 负责; 销售只能合并自己负责的客户`);
  });

  it('SALES_SCOPE=all lets sales act on every customer', () => {
    expect(
      ownerMay({ config: { ...h.core.config, SALES_SCOPE: 'all' } }, zhang.operator, { ownerId: null }, 'edit'),
    ).toBe(true);
  });
});

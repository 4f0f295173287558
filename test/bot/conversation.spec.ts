import { beforeAll, expect, it } from '@jest/globals';
import { consoleInbox, consoleSay } from '../../bot/console.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import { seedDemoForTest } from '../helpers/demo-seed.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { deletableCustomers } from '../helpers/bot-app.js';

/** Who speaks at the console door, as a WeCom user; `group` for a group chat. */
const as = (who: string, group = false) => ({ as: who, door: 'wecom' as const, group });

/** What the bot answers `who`, as one text. */
const sayAs = async (bot: BotRuntime, who: string, text: string, group = false) =>
  (await consoleSay(bot.deps, as(who, group), { text })).map((r) => r.text).join('\n');

/** The demo data, and a bot whose outbox is not dispatched. */
async function startConsoleBot(h: Harness): Promise<BotRuntime> {
  await seedDemoForTest(h.core);
  return createBot(h.core, { dispatch: false });
}

eachDialect('chat conversations through the pipeline (console door)', (h) => {
  let bot: BotRuntime;
  beforeAll(async () => {
    bot = await startConsoleBot(h);
  });
  const say = (who: string, text: string, group = false) => sayAs(bot, who, text, group);

  it('tells an unknown user to ask for access, and does nothing else', async () => {
    expect(await say('stranger', '删除客户 C20260001 x')).toBe('你还没有开通权限, 请联系管理员。');
    expect(await h.core.models.BotConversation.count()).toBe(0);
  });

  it('answers an unknown command with the closest match', async () => {
    expect(await say('demo-sales', '停用客 C20260001')).toBe(
      '没有这个命令「停用客 C20260001」。你是不是想用「停用客户 <编码> [原因] [备注]」? 例如: 停用客户 C20260012 客户要求 暂停合作半年\n发送「帮助」查看全部命令。',
    );
  });

  it('answers missing arguments with the example', async () => {
    expect(await say('demo-sales', '停用客户')).toBe(
      '缺少参数「编码」。\n用法: 停用客户 <编码> [原因] [备注]\n例如: 停用客户 C20260012 客户要求 暂停合作半年',
    );
  });

  it('handles an empty message, emoji, control characters and a 1 MB message without a state change', async () => {
    expect(await say('demo-sales', '   ')).toContain('请发送命令');
    expect(await say('demo-sales', '😀😀')).toContain('没有这个命令「😀😀」');
    expect(await say('demo-sales', '\u0000\u0007帮助 删除客户\u001b')).toContain('删除客户 <编码> [原因]');
    expect(await say('demo-sales', '停'.repeat(1024 * 1024))).toContain('消息太长');
    expect(await h.core.models.AuditEvent.count({ where: { door: 'cli', action: 'customer.deactivate' } })).toBe(6);
  });

  it('lists several matches and takes "2" as the choice', async () => {
    const reply = await say('demo-sales', '客户 贸易');
    expect(reply).toMatch(/匹配到多个客户, 请回复序号选择:\n1\. C\d+ .+\n2\. (C\d+) /);
    const second = /\n2\. (C\d+) /.exec(reply)![1]!;
    expect(await say('demo-sales', '2')).toMatch(new RegExp(`^${second} `));
  });

  it('masks the phone in groups; finance sees it in 1:1 and the reveal is audited', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'ASC']] });
    const group = await say('demo-finance', `客户 ${c!.code}`, true);
    expect(group).toMatch(/手机: 1\d\d\*\*\*\*\d{4}/);
    const before = await h.core.models.AuditEvent.count({ where: { action: 'customer.reveal', customerId: c!.id } });
    const direct = await say('demo-finance', `客户 ${c!.code}`);
    expect(direct).toMatch(/手机: 1\d{10}\n/);
    expect(await h.core.models.AuditEvent.count({ where: { action: 'customer.reveal', customerId: c!.id } })).toBe(
      before + 1,
    );
    expect(await say('demo-sales', `客户 ${c!.code}`)).toMatch(/手机: 1\d\d\*\*\*\*\d{4}/);
  });
});

eachDialect('chat conversations through the pipeline (console door): confirmations', (h) => {
  let bot: BotRuntime;
  beforeAll(async () => {
    bot = await startConsoleBot(h);
  });
  const say = (who: string, text: string, group = false) => sayAs(bot, who, text, group);

  it('cancels a pending confirmation on anything else, or on a wrong code', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'DESC']] });
    await say('demo-admin', `停用客户 ${c!.code} 信息错误`);
    expect(await say('demo-admin', '统计')).toContain(`(已取消待确认的操作: ${c!.code}, 没有做任何改动。)`);
    expect(await say('demo-admin', `确认 ${c!.code}`)).toContain('没有等待确认的操作');
    await say('demo-admin', `停用客户 ${c!.code} 信息错误`);
    expect(await say('demo-admin', '确认 C00000000')).toContain('不一致, 操作已取消');
    expect((await c!.reload()).status).toBe('active');
  });

  it('stores a confirmation as { commandId, key, payload } in the database, so another instance acts on 确认', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'DESC']] });
    const proposal = await consoleSay(bot.deps, as('demo-admin'), { text: `停用客户 ${c!.code} 信息错误` });
    expect(proposal[0]!.buttons).toEqual([
      { id: `confirm:${c!.code}`, text: '确认停用' },
      { id: 'cancel', text: '取消' },
    ]);
    const row = await h.core.models.BotConversation.findOne({ where: { kind: 'confirm' }, order: [['id', 'DESC']] });
    expect(JSON.parse(row!.payload)).toEqual({
      commandId: 'customer.deactivate',
      key: c!.code,
      payload: { code: c!.code, reason: '信息错误', memo: null, until: null },
    });
    const other = createBot(h.core, { dispatch: false });
    expect((await consoleSay(other.deps, as('demo-admin'), { text: `确认 ${c!.code}` }))[0]!.text).toContain(
      `已停用客户 ${c!.code}`,
    );
    expect((await c!.reload()).status).toBe('inactive');
  });

  it('expires a pending confirmation after five minutes', async () => {
    const c = await h.core.models.Customer.findOne({ where: { status: 'active' }, order: [['id', 'DESC']] });
    await say('demo-admin', `停用客户 ${c!.code} 信息错误`);
    h.setNow(new Date(Date.now() + 301_000));
    try {
      expect(await say('demo-admin', `确认 ${c!.code}`)).toContain('没有等待确认的操作 (可能已超过 5 分钟)');
    } finally {
      h.setNow(null);
    }
    expect((await c!.reload()).status).toBe('active');
  });
});

eachDialect('chat conversations through the pipeline (console door): permissions, blockers and approvals', (h) => {
  let bot: BotRuntime;
  beforeAll(async () => {
    bot = await startConsoleBot(h);
  });
  const say = (who: string, text: string, group = false) => sayAs(bot, who, text, group);

  it('refuses a command the role may not use, naming the permission', async () => {
    expect(await say('demo-sales', '同意 1')).toBe('王销售 没有「审批删除」权限, 无法使用「同意」。请联系管理员开通。');
  });

  it('lists all blockers at once and suggests 停用 instead', async () => {
    const { collectBlockers } = await import('../../core/deletion/precheck.js');
    let code = '';
    for (const r of await h.core.models.Customer.findAll({ where: { status: 'active' } })) {
      if ((await collectBlockers(h.core, r.id)).length === 3) {
        code = r.code;
        break;
      }
    }
    const reply = await say('demo-admin', `删除客户 ${code} 重复`);
    expect(reply).toMatch(
      new RegExp(
        `^客户 ${code} .+ 还有业务未了结, 不能删除:\\n1\\. 未完成订单 1 张 \\(SO\\d+\\), 合计 ¥[\\d,]+\\.\\d\\d\\n2\\. 未收款 1 笔, 未收金额 ¥[\\d,]+\\.\\d\\d\\n3\\. 库存预留 1 条, 共 \\d+ 件\\n`,
      ),
    );
    expect(reply).toContain(`建议改为「停用客户 ${code}」`);
    expect(await h.core.models.BotConversation.count({ where: { userId: 'demo-admin', kind: 'confirm' } })).toBe(0);
  });

  it('delivers approval cards and the receipt to the console inbox', async () => {
    const [code] = await deletableCustomers(h.core, 'demo-sales');
    await consoleInbox(bot.deps, as('demo-approver'));
    await say('demo-sales', `删除客户 ${code} 重复`);
    const id = /#(\d+)/.exec(await say('demo-sales', `确认 ${code}`))![1];
    const inbox = await consoleInbox(bot.deps, as('demo-approver'));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.buttons).toEqual([
      { id: `approve:${id}`, text: '同意' },
      { id: `reject:${id}`, text: '拒绝' },
    ]);
    const clicked = await consoleSay(bot.deps, as('demo-approver'), { click: inbox[0]!.buttons![0]!.id });
    expect(clicked[0]!.text).toContain(`已同意审批单 #${id}: 客户 ${code} 已删除`);
    const receipt = await consoleInbox(bot.deps, as('demo-sales'));
    expect(receipt.map((r) => r.text).join('\n')).toContain(`你申请删除的客户 ${code} 已由 李审批 同意删除`);
    expect((await consoleSay(bot.deps, as('demo-admin'), { click: `approve:${id}` }))[0]!.text).toContain(
      '该申请已处理',
    );
  });
});

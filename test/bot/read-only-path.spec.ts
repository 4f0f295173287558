import { beforeAll, expect, it } from '@jest/globals';
import { handleMessage } from '../../bot/pipeline.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import type { IncomingMessage } from '../../bot/types.js';
import { seedDemoForTest } from '../helpers/demo-seed.js';
import { eachDialect, type Harness } from '../helpers/db.js';
import { operatorByIdentity } from '../../core/operators.js';

let seq = 0;

/** A WeCom app text from demo-sales, under message key `key`. */
const message = (text: string, key = `ro-${++seq}`): IncomingMessage => ({
  channel: 'wecom',
  via: 'wecom-app',
  messageKey: key,
  correlationId: `wecom-app:${key}`,
  userId: 'demo-sales',
  chatType: 'direct',
  text,
});

/** demo-sales and the `offset`-th of their active customers. */
async function ownedActiveOf(h: Harness, offset = 0) {
  const owner = await operatorByIdentity(h.core, 'wecom', 'demo-sales');
  const rows = await h.core.models.Customer.findAll({
    where: { ownerId: owner!.id, status: 'active' },
    order: [['id', 'ASC']],
  });
  return { customer: rows[offset]!, owner: owner! };
}

/** A lookup as demo-sales, after each change to their operator row, answers by the row as it is now. */
async function speakerChanges(h: Harness, say: (text: string) => Promise<string>): Promise<void> {
  const { customer, owner } = await ownedActiveOf(h, 4);
  const { roles } = owner;
  try {
    expect(await say(`客户 ${customer.code}`)).toContain('(个人信息已脱敏)');
    await owner.update({ roles: `${roles},finance` });
    expect(await say(`客户 ${customer.code}`)).not.toContain('(个人信息已脱敏)');
    await owner.update({ active: false });
    expect(await say(`客户 ${customer.code}`)).toBe('你还没有开通权限, 请联系管理员。');
    await owner.update({ active: true, roles });
    expect(await say(`客户 ${customer.code}`)).toContain('(个人信息已脱敏)');
  } finally {
    await owner.update({ active: true, roles });
  }
}

eachDialect('read-only chat commands skip the dedupe record (pipeline)', (h) => {
  let bot: BotRuntime;
  const say = async (text: string, key?: string) =>
    (await handleMessage(bot.deps, message(text, key))).replies.map((r) => r.text).join('\n');

  beforeAll(async () => {
    await seedDemoForTest(h.core);
    bot = createBot(h.core, { dispatch: false });
  });

  const ownedActive = (offset?: number) => ownedActiveOf(h, offset);

  it('answers a lookup by code with the owner, writes nothing, and answers a retry the same way', async () => {
    const { customer, owner } = await ownedActive();
    const inbound = await h.core.models.BotInbound.count();
    const first = await say(`客户 ${customer.code}`, 'ro-retry');
    expect(first).toContain(customer.code);
    expect(first).toContain(customer.name);
    expect(first).toContain(`负责人: ${owner.displayName}`);
    expect(await say(`客户 ${customer.code}`, 'ro-retry')).toBe(first);
    expect(await h.core.models.BotInbound.count()).toBe(inbound);
  });

  it('finds a customer by part of its name on the same path, with the owner', async () => {
    const { customer, owner } = await ownedActive(1);
    const reply = await say(`客户 ${customer.name}`);
    expect(reply).toContain(customer.code);
    expect(reply).toContain(`负责人: ${owner.displayName}`);
  });

  it('still refuses an unknown chat user on the read-only path', async () => {
    const reply = (await handleMessage(bot.deps, { ...message('帮助'), userId: 'nobody-here' })).replies[0]!.text;
    expect(reply).toBe('你还没有开通权限, 请联系管理员。');
  });

  it('a lookup while a confirmation is pending cancels it, as any other message does', async () => {
    const { customer } = await ownedActive(2);
    expect(await say(`停用客户 ${customer.code} 客户要求`)).toContain(`确认 ${customer.code}`);
    const reply = await say(`客户 ${customer.code}`);
    expect(reply).toContain(`已取消待确认的操作: ${customer.code}`);
    expect(await say(`确认 ${customer.code}`)).toContain('没有等待确认的操作');
    expect((await customer.reload()).status).toBe('active');
  });

  it('a command that changes data is still recorded once: a retried delivery does nothing again', async () => {
    const { customer } = await ownedActive(3);
    const first = await handleMessage(bot.deps, message(`保留客户 ${customer.code} 年底有项目`, 'ro-keep'));
    const retry = await handleMessage(bot.deps, message(`保留客户 ${customer.code} 年底有项目`, 'ro-keep'));
    expect(retry.duplicate).toBe(true);
    expect(retry.replies).toEqual(first.replies);
    expect(await h.core.models.CustomerKeep.count({ where: { customerCode: customer.code } })).toBe(1);
  });

  // The speaker's model instance is reused while their row is unchanged (bot/conversation.ts).
  it("sees a change to the speaker's roles or account on the very next message", () => speakerChanges(h, say));
});

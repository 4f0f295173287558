import Router from '@koa/router';
import type Koa from 'koa';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buttonId } from '../../bot/buttons.js';
import {
  ChannelSendError,
  type Channel,
  type ChannelRuntime,
  type IncomingMessage,
  type Reply,
  type ReplyHandle,
  type Target,
} from '../../bot/channels/contract.js';
import { registerChannel } from '../../bot/channels/registry.js';
import { createBot, type BotRuntime } from '../../bot/runtime.js';
import { ConfigError } from '../../core/config.js';
import { createCustomer } from '../../core/customers/create.js';
import { jobActor } from '../../core/context.js';
import { eachDialect, withEnv, type Harness } from '../helpers/db.js';

/** What an in-memory channel was asked to do. */
interface Sent {
  target: Target;
  reply: Reply;
}

/**
 * A messenger that lives in memory, built on the contract alone: it proves the pipeline, notifier,
 * dispatcher and replyLater need nothing from a vendor's folder.
 */
function memoryChannel(id: string, buttons: boolean) {
  const sent: Sent[] = [];
  const updated: { cardRef: string; userId: string; text: string }[] = [];
  const failures = new Map<string, ChannelSendError[]>();
  let runtime: ChannelRuntime | null = null;
  let cards = 0;
  const channel: Channel = {
    id,
    label: `测试${id}`,
    capabilities: { modes: ['memory'], buttons, updateCard: buttons, groupPush: true, files: false },
    configure: (env) => ({
      enabled: env[`${id.toUpperCase()}_ON`] === '1',
      problems: env[`${id.toUpperCase()}_ON`] === 'bad' ? [`${id.toUpperCase()}_ON 应为 1`] : [],
    }),
    routes: (_router, rt) => {
      runtime = rt;
    },
    async send(_core, target, reply) {
      const key = target.kind === 'reply' ? 'reply' : target.id;
      const failure = failures.get(key)?.shift();
      if (failure) throw failure;
      sent.push({ target, reply });
      return reply.buttons?.length ? { cardRef: `${id}-card-${++cards}` } : {};
    },
    ...(buttons
      ? {
          async updateCard(_core: unknown, cardRef: string, userId: string, text: string) {
            updated.push({ cardRef, userId, text });
          },
        }
      : {}),
    reachable: (_core, target) => target.kind !== 'group' || target.id !== 'unreachable',
  };
  return { channel, sent, updated, failures, rt: () => runtime! };
}

type MemoryChannel = ReturnType<typeof memoryChannel>;

/** Both in-memory channels switched on by their env blocks. */
const CHANNELS_ON = { MEMO_ON: '1', PLAIN_ON: '1' };

/**
 * Registers both memory channels and turns them on, gives 甲销售 (sales), 乙审批 (approver) and
 * 丙管理 (admin) accounts on them, and starts the bot (dispatcher run by hand) with one customer of 甲销售's.
 */
async function startContract(
  h: Harness,
  memo: MemoryChannel,
  plain: MemoryChannel,
): Promise<{ bot: BotRuntime; code: string; unregister: () => void }> {
  const unregister = [registerChannel(memo.channel), registerChannel(plain.channel)];
  const sales = await h.operator('甲销售', ['sales'], { memo: 'm-sales', plain: 'p-sales' });
  await h.operator('乙审批', ['approver'], { memo: 'm-appr', plain: 'p-appr' });
  await h.operator('丙管理', ['admin'], { memo: 'm-admin' });
  const { code } = (await createCustomer(h.core, jobActor('test'), { name: '契约测试有限公司', ownerId: sales.id }))
    .customer;
  const bot = createBot(h.core, { dispatch: false });
  bot.mount({} as Koa, new Router());
  return { bot, code, unregister: () => unregister.forEach((u) => u()) };
}

/** Messages as the memo channel would hand them in, and a way to run the dispatcher to the end. */
function talkTo(memo: MemoryChannel, bot: () => BotRuntime) {
  let seq = 0;
  const msg = (userId: string, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage => {
    const messageKey = `m${++seq}`;
    return {
      channel: 'memo',
      via: 'memo',
      messageKey,
      correlationId: `memo:${messageKey}`,
      userId,
      chatType: 'direct',
      text,
      ...extra,
    };
  };
  const group = (userId: string, text: string) =>
    msg(userId, text, {
      chatType: 'group',
      conversationId: 'g-1',
      reply: { channel: 'memo', kind: 'thread', thread: 'g-1' },
    });
  const say = async (m: IncomingMessage) => (await memo.rt().handle(m)).replies;
  const flush = async () => {
    await bot().dispatcher.drain();
    await bot().dispatcher.idle();
  };
  return { msg, group, say, flush };
}

eachDialect('the Channel contract: a channel in memory, through the registry alone', CHANNELS_ON, (h) => {
  const memo = memoryChannel('memo', true);
  const plain = memoryChannel('plain', false);
  let bot: BotRuntime, code: string, unregister: () => void;
  beforeAll(async () => {
    ({ bot, code, unregister } = await startContract(h, memo, plain));
  });
  afterAll(() => unregister?.());
  const { msg, say, flush } = talkTo(memo, () => bot);

  it('start-up refuses a channel whose own env block is wrong, naming the variable', () => {
    const core = withEnv(h.core, { MEMO_ON: 'bad' });
    expect(() => createBot(core, { dispatch: false })).toThrow(ConfigError);
    expect(() => createBot(core, { dispatch: false })).toThrow(/MEMO_ON 应为 1/);
  });

  it('the pipeline answers through rt.handle, knows the speaker by their identity on the channel, and dedupes', async () => {
    const m = msg('m-sales', `客户 ${code}`);
    const [first] = await say(m);
    expect(first!.text).toContain('契约测试有限公司');
    expect((await say(msg('stranger', '帮助')))[0]!.text).toBe('你还没有开通权限, 请联系管理员。');
    const button = msg('m-sales', '', { buttonId: 'nonsense' });
    expect((await memo.rt().handle(button)).duplicate).toBe(false);
    expect(await memo.rt().handle(button)).toMatchObject({ duplicate: true });
  });

  it('a permanent ChannelSendError fails the row at once; others on the channel still go', async () => {
    plain.failures.set('p-sales', [new ChannelSendError('用户不存在', false)]);
    const sales = await h.operator('甲销售', ['sales']);
    await bot.deps.notifier.toOperator(sales, { text: '永久失败' });
    await flush();
    const row = await h.core.models.BotOutbox.findOne({
      where: { door: 'plain', targetId: 'p-sales' },
      order: [['id', 'DESC']],
    });
    expect([row!.status, row!.attempts, row!.error]).toEqual(['failed', 1, '用户不存在']);
    expect(memo.sent.at(-1)!.reply.text).toBe('永久失败');
  });
});

eachDialect('the Channel contract: an approval sent to every channel', CHANNELS_ON, (h) => {
  const memo = memoryChannel('memo', true);
  const plain = memoryChannel('plain', false);
  let bot: BotRuntime, code: string, unregister: () => void;
  beforeAll(async () => {
    ({ bot, code, unregister } = await startContract(h, memo, plain));
  });
  afterAll(() => unregister?.());
  const { group, say, flush } = talkTo(memo, () => bot);

  it('an approval: cards with buttons to 1:1 chats, the group notice with mentions; links only where buttons cannot call back', async () => {
    const [proposal] = await say(group('m-sales', `删除客户 ${code} 重复录入`));
    expect(proposal!.text).toContain(`将为客户 ${code}`);
    memo.failures.set('m-admin', [new ChannelSendError('暂时不可用', true)]);
    const [done] = await say(group('m-sales', `确认 ${code}`));
    expect(done!.text).toMatch(/^已提交删除申请 #\d+ .*已通知审批人: 乙审批、丙管理/);
    expect(done!.mentions?.sort()).toEqual(['m-admin', 'm-appr']);
    await flush();

    const memoCards = memo.sent.filter((s) => s.target.kind === 'user');
    expect(memoCards.map((s) => (s.target as { id: string }).id)).toEqual(['m-appr']);
    expect(memoCards[0]!.reply.buttons?.map((b) => b.text)).toEqual(['同意', '拒绝']);
    expect(memoCards[0]!.reply.links).toBeUndefined();
    // The group notice goes back through the message's own handle, @-mentioning by memo ids, no links.
    const memoNotice = memo.sent.find((s) => s.target.kind === 'reply')!;
    expect((memoNotice.target as { handle: ReplyHandle }).handle).toEqual({
      channel: 'memo',
      kind: 'thread',
      thread: 'g-1',
    });
    expect(memoNotice.reply.mentions?.sort()).toEqual(['m-admin', 'm-appr']);
    expect(memoNotice.reply.links).toBeUndefined();
    // plain cannot call back: its group (the configured default) gets a signed link per approver it knows.
    const plainNotice = plain.sent.find((s) => s.target.kind === 'group')!;
    expect(plainNotice.target).toEqual({ kind: 'group', id: 'default' });
    expect(plainNotice.reply.mentions).toEqual(['p-appr']);
    expect(plainNotice.reply.links?.map((l) => l.text)).toEqual(['乙审批 审批']);
    expect(plainNotice.reply.links![0]!.url).toMatch(/\/approvals\/\d+\?t=/);
    expect(plain.sent.filter((s) => s.target.kind === 'user').map((s) => (s.target as { id: string }).id)).toEqual([
      'p-appr',
    ]);

    // The retryable failure left m-admin's card waiting, not lost; it goes out on a later pass.
    const waiting = await h.core.models.BotOutbox.findOne({ where: { door: 'memo', targetId: 'm-admin' } });
    expect([waiting!.status, waiting!.attempts]).toEqual(['pending', 1]);
    h.setNow(new Date(Date.now() + 60_000));
    try {
      await flush();
    } finally {
      h.setNow(null);
    }
    expect((await waiting!.reload()).status).toBe('sent');
    expect(waiting!.responseCode).toMatch(/^memo-card-\d+$/);
  });
});

eachDialect('the Channel contract: a click on an approval card', CHANNELS_ON, (h) => {
  const memo = memoryChannel('memo', true);
  const plain = memoryChannel('plain', false);
  let bot: BotRuntime, code: string, unregister: () => void;
  beforeAll(async () => {
    ({ bot, code, unregister } = await startContract(h, memo, plain));
  });
  afterAll(() => unregister?.());
  const { msg, group, say, flush } = talkTo(memo, () => bot);
  // An approval of 甲销售's request to delete the customer, its cards and notices sent.
  beforeAll(async () => {
    await say(group('m-sales', `删除客户 ${code} 重复录入`));
    await say(group('m-sales', `确认 ${code}`));
    await flush();
  });

  it('a click decides; the other cards are updated through updateCard, the clicked one is not', async () => {
    const request = await h.core.models.ApprovalRequest.findOne({ where: { customerCode: code } });
    const [answer] = await say(msg('m-appr', '', { buttonId: buttonId('approve', String(request!.id)) }));
    expect(answer!.text).toMatch(new RegExp(`^已同意审批单 #${request!.id}`));
    await flush();
    const adminCard = await h.core.models.BotOutbox.findOne({
      where: { door: 'memo', targetId: 'm-admin', ref: `approval:${request!.id}` },
    });
    expect(memo.updated).toEqual([
      {
        cardRef: adminCard!.responseCode,
        userId: 'm-admin',
        text: expect.stringMatching(/^已同意 · 乙审批 · \d\d:\d\d$/),
      },
    ]);
    // The requester's receipt reaches every channel they are on.
    expect(
      memo.sent.some(
        (s) => s.target.kind === 'user' && s.target.id === 'm-sales' && s.reply.text.includes('已由 乙审批 同意删除'),
      ),
    ).toBe(true);
    expect(
      plain.sent.some(
        (s) => s.target.kind === 'user' && s.target.id === 'p-sales' && s.reply.text.includes('已由 乙审批 同意删除'),
      ),
    ).toBe(true);
  });
});

eachDialect('the Channel contract: replyLater', CHANNELS_ON, (h) => {
  const memo = memoryChannel('memo', true);
  const plain = memoryChannel('plain', false);
  let bot: BotRuntime, unregister: () => void;
  beforeAll(async () => {
    ({ bot, unregister } = await startContract(h, memo, plain));
  });
  afterAll(() => unregister?.());
  const { msg, group, flush } = talkTo(memo, () => bot);

  it("replyLater: through the message's handle when it has one (joined when it answers once), else to the sender", async () => {
    const before = memo.sent.length;
    await memo.rt().replyLater(group('m-sales', '慢查询'), [{ text: '第一段' }, { text: '第二段' }]);
    await memo
      .rt()
      .replyLater(msg('m-sales', '慢查询', { reply: { channel: 'memo', kind: 'once', once: true } }), [
        { text: '甲' },
        { title: '乙', text: '丙' },
      ]);
    await memo.rt().replyLater(msg('m-sales', '慢查询'), [{ text: '私聊答复' }]);
    await flush();
    const got = memo.sent.slice(before).map((s) => ({
      to: s.target.kind === 'reply' ? s.target.handle.kind : `${s.target.kind}:${s.target.id}`,
      text: s.reply.text,
      mentions: s.reply.mentions,
    }));
    // Lanes run side by side; within one lane the order holds.
    expect(got.filter((g) => g.to === 'thread')).toEqual([
      { to: 'thread', text: '第一段', mentions: ['m-sales'] },
      { to: 'thread', text: '第二段', mentions: ['m-sales'] },
    ]);
    expect(got.filter((g) => g.to !== 'thread').sort((a, b) => a.to.localeCompare(b.to))).toEqual([
      { to: 'once', text: '甲\n\n乙\n丙', mentions: undefined },
      { to: 'user:m-sales', text: '私聊答复', mentions: undefined },
    ]);
  });
});

import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ChannelSendError, type ChannelRuntime, type SocketReceiver } from '../../../bot/channels/contract.js';
import { wecom } from '../../../bot/channels/wecom/index.js';
import { eachDialect, type Harness } from '../../helpers/db.js';
import { FakeAibotServer } from '../../helpers/fakes/wecom-aibot-server.js';
import { aibotEnv } from '../../helpers/aibot-runtime.js';

/** The fake AI bot server, the channel configured for it, and its one socket started. */
async function startAibotSocket(h: Harness): Promise<{ fake: FakeAibotServer; receiver: SocketReceiver }> {
  const fake = await new FakeAibotServer({ aibAAA111: 'secret-of-the-bot' }).start();
  h.reconfigure(aibotEnv(fake));
  const rt: ChannelRuntime = {
    core: h.core,
    log: h.core.logger.child({ channel: 'wecom' }),
    handle: async () => ({ replies: [], duplicate: false }),
    replyLater: async () => undefined,
    kick: () => undefined,
  };
  const sockets = wecom.sockets!(rt);
  expect(sockets.map((s) => s.name)).toEqual(['wecom-aibot:aibAAA111']);
  const receiver = sockets[0]!;
  await receiver.start();
  return { fake, receiver };
}

/** The reply handle of a socket message from group wrkGROUP2. */
const handle = {
  channel: 'wecom',
  kind: 'aibot-socket',
  botId: 'aibAAA111',
  reqId: 'r1',
  chatId: 'wrkGROUP2',
  msgId: 'm1',
};

/**
 * The channel's send when the AI bot's long connection is the only WeCom way out (no self-built
 * app, no group webhook): users, groups by chat id, the remembered team group and reply handles
 * all go over the socket as aibot_send_msg.
 */
eachDialect('WeCom channel: sending over the AI bot long connection', (h) => {
  let fake: FakeAibotServer, receiver: SocketReceiver;
  const bodies = () => fake.sent('aibot_send_msg').map((f) => f.frame.body as Record<string, unknown>);
  /** The chats sent to after the first `n` frames (the fake keeps the block's earlier tests' frames too). */
  const chatsSince = (n: number) =>
    bodies()
      .map((b) => b.chatid)
      .slice(n);
  beforeAll(async () => {
    ({ fake, receiver } = await startAibotSocket(h));
  });
  afterAll(async () => {
    await receiver?.stop();
    await fake?.stop();
  });

  it('has no socket when WECOM_BOT_ID / WECOM_BOT_SECRET are unset, and lists the socket mode', () => {
    const bare = { ...h.core, config: { ...h.core.config, env: {} } } as typeof h.core;
    expect(wecom.sockets!({ core: bare } as ChannelRuntime)).toEqual([]);
    expect(wecom.capabilities.modes).toContain('socket');
  });

  it('users and groups by chat id are reachable and reached over the socket', async () => {
    expect(wecom.reachable!(h.core, { kind: 'user', id: 'zhangsan' })).toBe(true);
    expect(wecom.reachable!(h.core, { kind: 'group', id: 'wrkGROUP1' })).toBe(true);
    // 'default' is the group webhook's; the notifier picks the remembered group instead.
    expect(wecom.reachable!(h.core, { kind: 'group', id: 'default' })).toBe(false);
    const earlier = bodies().length;
    await wecom.send(h.core, { kind: 'user', id: 'zhangsan' }, { text: '审批已通过' }, 'row-1');
    await wecom.send(
      h.core,
      { kind: 'group', id: 'wrkGROUP1' },
      { title: '删除申请', text: '请审批', buttons: [{ id: 'approve:9', text: '批准' }] },
      'row-2',
    );
    // send resolves once WeCom acknowledged the frame.
    expect(bodies()[earlier]).toEqual({ chatid: 'zhangsan', msgtype: 'markdown', markdown: { content: '审批已通过' } });
    expect(bodies()[earlier + 1]).toMatchObject({
      chatid: 'wrkGROUP1',
      msgtype: 'template_card',
      template_card: { task_id: 'steward-row-2', button_list: [{ key: 'approve:9', text: '批准' }] },
    });
  });

  it('a reply handle of a socket message goes back to the chat it came from', async () => {
    expect(wecom.reachable!(h.core, { kind: 'reply', handle })).toBe(true);
    const earlier = bodies().length;
    await wecom.send(h.core, { kind: 'reply', handle }, { text: '客户 C001: 甲公司' }, 'row-3');
    expect(chatsSince(earlier)).toContain('wrkGROUP2');
  });

  it('the team group is the last group seen; with none yet the row is refused for good, saying what to do', async () => {
    // None seen yet, whatever ran before in this block.
    await h.core.models.StewardMeta.destroy({ where: { key: 'group:wecom' } });
    const err = await wecom
      .send(h.core, { kind: 'group', id: 'default' }, { text: '汇总' }, 'row-4')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelSendError);
    expect(err).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/@-mention the bot in a group once/),
    });
    await h.core.models.StewardMeta.upsert({ key: 'group:wecom', value: 'wrkTEAM' });
    const earlier = bodies().length;
    await wecom.send(h.core, { kind: 'group', id: 'default' }, { text: '汇总' }, 'row-5');
    expect(chatsSince(earlier)).toContain('wrkTEAM');
  });
});

// What the Feishu long-connection tests share: a scripted pipeline, the channel connected to a fake
// Feishu, and the events and frames they push.
import { expect } from '@jest/globals';
import { feishu } from '../../../bot/channels/feishu/index.js';
import type { IncomingMessage, SocketReceiver } from '../../../bot/channels/contract.js';
import { FakeFeishu, messageEvent } from '../../helpers/fakes/feishu-server.js';
import { channelCore, testRuntime, type Scripted, type TestRuntime } from '../../helpers/fakes/feishu-runtime.js';

/** The pipeline, scripted: what each text or button press is answered with. */
export function script(msg: IncomingMessage): Scripted {
  if (msg.buttonId === 'confirm:k1') return { replies: [{ text: '已停用客户 C0001\n操作人: 你' }] };
  // Slower than the click's deadline (fastReplyMs below, where the test sets it).
  if (msg.buttonId === 'approve:7') return { replies: [{ text: '已同意删除申请 #7' }], delayMs: 800 };
  if (msg.buttonId === 'reject:8') return { replies: [], fail: true };
  if (msg.text === '停用 C0001') {
    return {
      replies: [
        {
          text: '确认停用客户 C0001?',
          title: '请确认',
          buttons: [
            { id: 'confirm:k1', text: '确认' },
            { id: 'cancel', text: '取消' },
          ],
        },
      ],
    };
  }
  if (msg.text === '坏了') return { replies: [], fail: true };
  return { replies: [{ text: `收到: ${msg.text}` }] };
}

/** The fake Feishu, and the channel's one receiver (WSClient) connected to it. */
export async function startWsChannel(
  opts: { fastReplyMs?: number } = {},
): Promise<{ fake: FakeFeishu; rt: TestRuntime; receiver: SocketReceiver }> {
  const fake = await new FakeFeishu().start();
  const core = channelCore(fake.env());
  const rt = testRuntime(feishu, core, script);
  rt.fastReplyMs = opts.fastReplyMs;
  const receivers = feishu.sockets!(rt);
  expect(receivers).toHaveLength(1);
  const receiver = receivers[0]!;
  await receiver.start();
  return { fake, rt, receiver };
}

export async function stopWsChannel(fake: FakeFeishu | undefined, receiver: SocketReceiver | undefined): Promise<void> {
  await receiver?.stop();
  await fake?.stop();
}

/** The JSON content of a message the channel sent. */
export const textOf = (call: { body: Record<string, unknown> }) =>
  JSON.parse(String(call.body.content)) as Record<string, unknown>;

/** A text alice (ou_alice) writes in her 1:1 chat with the bot. */
export const p2p = (messageId: string, text: string) =>
  messageEvent({ messageId, openId: 'ou_alice', chatId: 'oc_p2p_alice', chatType: 'p2p', text });

import type { WSClient } from '@wecom/aibot-node-sdk';
import { ChannelSendError, type Reply, type ReplyHandle, type SendResult, type Target } from '../contract.js';
import { pushBody, taskId } from './replies.js';

/** The connections this instance holds right now, by bot id (at most one per bot: WeCom keeps only the newest). */
const live = new Map<string, WSClient>();

/** Records that this instance now holds `botId`'s connection. */
export function holdSocket(botId: string, client: WSClient): void {
  live.set(botId, client);
}

/** Forgets `client` as the holder of `botId`'s connection (no-op when a newer client holds it). */
export function releaseSocket(botId: string, client: WSClient): void {
  if (live.get(botId) === client) live.delete(botId);
}

/** True when this instance holds the long connection (of `botId`, or of any bot). */
export function holdsAibotSocket(botId?: string): boolean {
  return botId ? live.has(botId) : live.size > 0;
}

/**
 * Sends one message over the live connection with aibot_send_msg (a proactive push): to the chat a
 * socket message came from (its reply handle), or to a user/group id. Throws a retryable
 * ChannelSendError when this instance does not hold the socket, so the outbox retries on the one that does.
 */
export async function sendViaSocket(to: Target | ReplyHandle, reply: Reply, key?: string): Promise<SendResult> {
  const { botId, chatId } = destination(to);
  const client = botId ? live.get(botId) : live.values().next().value;
  if (!client) throw new ChannelSendError('WeCom AI bot socket is not held by this instance', true);
  try {
    await client.sendMessage(
      chatId,
      pushBody(reply, taskId(key ?? `${chatId}-${Date.now()}`), 20_000) as unknown as Parameters<
        WSClient['sendMessage']
      >[1],
    );
  } catch (err) {
    const code = errcodeOf(err);
    // -1 is WeCom's "system busy"; any other errcode is a refusal that a retry cannot fix.
    if (code !== null) throw new ChannelSendError(`aibot_send_msg refused: errcode ${code}`, code === -1);
    throw new ChannelSendError(`aibot_send_msg failed: ${(err as Error).message}`, true);
  }
  return { cardRef: null };
}

function destination(to: Target | ReplyHandle): { botId: string | null; chatId: string } {
  const handle = 'channel' in to ? to : to.kind === 'reply' ? to.handle : null;
  if (handle) {
    if (handle.kind !== 'aibot-socket' || typeof handle.chatId !== 'string' || typeof handle.botId !== 'string') {
      throw new ChannelSendError(`not a WeCom AI bot socket reply handle: ${handle.channel}/${handle.kind}`, false);
    }
    return { botId: handle.botId, chatId: handle.chatId };
  }
  const target = to as Exclude<Target, { kind: 'reply' }>;
  if (target.kind === 'group' && target.id === 'default')
    throw new ChannelSendError('the "default" group must be resolved by the channel before sendViaSocket', false);
  return { botId: null, chatId: target.id };
}

/** The SDK rejects a refused reply with the ack frame itself (errcode != 0), anything else with an Error. */
export function errcodeOf(err: unknown): number | null {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code : null;
}

import type { Core } from '../../../core/context.js';
import { ChannelSendError, type Reply, type SendResult, type Target } from '../contract.js';
import { toSendError } from '../../http-client.js';
import { sendViaSocket } from './aibot-push.js';
import { wecomClient } from './client.js';
import { isWecomUrl, settingsOf } from './config.js';
import { responseUrlOf } from './handles.js';

/** The team group is the push webhook ('webhook' is how rows queued before channels named it). */
const isDefaultGroup = (id: string) => id === 'default' || id === 'webhook';

/** The StewardMeta key under which the notifier remembers the last group seen (bot/notify/groups.ts groupKey). */
const REMEMBERED_GROUP = 'group:wecom';

/**
 * To a group: the team group through its webhook when one is set, else (default or named) over
 * the AI bot's long connection, the team group being the last one the bot was @-mentioned in.
 */
async function sendToGroup(core: Core, id: string, reply: Reply, key: string): Promise<SendResult> {
  const s = settingsOf(core);
  if (isDefaultGroup(id) && s.group) {
    await wecomClient(core).sendToGroup(reply);
    return {};
  }
  if (!s.aiBotSocket) {
    throw new ChannelSendError(
      isDefaultGroup(id)
        ? 'WECOM_GROUP_WEBHOOK_KEY is not set'
        : 'WeCom pushes to a chat id only over the AI bot long connection (WECOM_BOT_ID)',
      false,
    );
  }
  const chatId = isDefaultGroup(id) ? (await core.models.StewardMeta.findByPk(REMEMBERED_GROUP))?.value : id;
  if (!chatId)
    throw new ChannelSendError(
      'no team group for the AI bot yet (@-mention the bot in a group once, or set WECOM_GROUP_WEBHOOK_KEY)',
      false,
    );
  return sendViaSocket({ kind: 'group', id: chatId }, reply, key);
}

/**
 * Sends one message: an AI bot answer through its response_url or its long connection, the group
 * webhook, an app message, or (when the AI bot's long connection is the only way out) a push over it.
 */
export async function sendWecom(core: Core, target: Target, reply: Reply, key: string): Promise<SendResult> {
  const s = settingsOf(core);
  const client = wecomClient(core);
  try {
    if (target.kind === 'reply') {
      if (target.handle.kind === 'aibot-socket') return await sendViaSocket(target.handle, reply, key);
      const url = responseUrlOf(target.handle);
      // Checked again here: a row is only as trustworthy as the door that queued it.
      if (!url || !isWecomUrl(core, url)) throw new ChannelSendError('response_url outside WeCom refused', false);
      await client.viaResponseUrl(url, reply, key);
      return {};
    }
    if (target.kind === 'group') return await sendToGroup(core, target.id, reply, key);
    if (!s.app && s.aiBotSocket) return await sendViaSocket(target, reply, key);
    return { cardRef: (await client.sendToUser(target.id, reply, key)).responseCode };
  } catch (err) {
    throw toSendError(err);
  }
}

/** Greys out an app card's buttons for one member. */
export async function updateWecomCard(core: Core, cardRef: string, userId: string, text: string): Promise<void> {
  try {
    await wecomClient(core).updateCard(cardRef, [userId], text);
  } catch (err) {
    throw toSendError(err);
  }
}

/**
 * What can be reached with the settings now: app messages, the group webhook, a response_url, and
 * over the AI bot's long connection its reply handles, users and groups by chat id (whichever
 * instance holds the socket sends; the others' attempts are retried).
 */
export function wecomReachable(core: Core, target: Target): boolean {
  const s = settingsOf(core);
  if (target.kind === 'reply')
    return target.handle.kind === 'aibot-socket' ? s.aiBotSocket : responseUrlOf(target.handle) !== null;
  if (target.kind === 'group') return isDefaultGroup(target.id) ? s.group : s.aiBotSocket;
  return s.app || s.aiBotSocket;
}

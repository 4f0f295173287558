import type { Core } from '../../../core/context.js';
import { ChannelSendError, type Reply, type SendResult, type Target } from '../contract.js';
import { toSendError } from '../../http-client.js';
import { dingtalkClient } from './client.js';
import { isDingtalkUrl, settingsOf } from './config.js';
import { sessionOf } from './handles.js';

/** A sessionWebhook this close to expiry is not used: the post might arrive after it. */
const EXPIRY_MARGIN_MS = 5_000;

/** The team group is the custom robot ('webhook' is how rows queued before channels named it). */
const isDefaultGroup = (id: string) => id === 'default' || id === 'webhook';

/** Sends one message: through a live sessionWebhook, else the OpenAPI, or the custom group robot. */
export async function sendDingtalk(core: Core, target: Target, reply: Reply): Promise<SendResult> {
  const client = dingtalkClient(core);
  try {
    let to = target;
    if (target.kind === 'reply') {
      const session = sessionOf(target.handle);
      if (!session) throw new ChannelSendError('not a DingTalk reply handle', false);
      // Checked again here: a row is only as trustworthy as the door that queued it.
      if (
        session.url &&
        isDingtalkUrl(core, session.url) &&
        session.expiresAt > core.now().getTime() + EXPIRY_MARGIN_MS
      ) {
        await client.viaSessionWebhook(session.url, reply);
        return {};
      }
      to = session.chat;
    }
    if (to.kind === 'group' && isDefaultGroup(to.id)) {
      if (!settingsOf(core).customRobot) throw new ChannelSendError('DINGTALK_GROUP_WEBHOOK is not set', false);
      await client.viaCustomRobot(reply);
      return {};
    }
    if (!settingsOf(core).api)
      throw new ChannelSendError('DingTalk OpenAPI not configured (DINGTALK_APP_KEY, DINGTALK_APP_SECRET)', false);
    if (to.kind === 'group') await client.sendToGroup(to.id, reply);
    else if (to.kind === 'user') await client.sendToUsers([to.id], reply);
    return {};
  } catch (err) {
    throw toSendError(err);
  }
}

/** A live sessionWebhook, the OpenAPI for chats by id, the custom robot for the team group. */
export function dingtalkReachable(core: Core, target: Target): boolean {
  const s = settingsOf(core);
  if (target.kind === 'reply') {
    const session = sessionOf(target.handle);
    return Boolean(session && ((session.url && session.expiresAt > core.now().getTime() + EXPIRY_MARGIN_MS) || s.api));
  }
  if (target.kind === 'group' && isDefaultGroup(target.id)) return s.customRobot;
  return s.api;
}

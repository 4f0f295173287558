import type { Transaction } from 'sequelize';
import type { Core } from '../../core/context.js';
import type { Channel, IncomingMessage, ReplyHandle } from '../channels/contract.js';
import { channelById, enabledChannels } from '../channels/registry.js';

/** Where a group notice goes on one channel: a group by id ('default' = the configured one), or through a message's reply handle. */
export type GroupTarget = { kind: 'group'; lane: string } | { kind: 'reply'; lane: string; handle: ReplyHandle };

/** The StewardMeta key of the last group seen on a channel. */
export const groupKey = (channel: string) => `group:${channel}`;

const groupReachable = (core: Core, ch: Channel, id: string) => ch.reachable?.(core, { kind: 'group', id }) ?? true;

/** What was last written per core and channel, so a busy group does not write on every message. */
const lastWritten = new WeakMap<Core, Map<string, string>>();

/**
 * Records the group a message came from, for later notices, when its channel can push to that
 * group. Not async for a 1:1 message (most of them): nothing to wait for, so no promise is made.
 */
export function rememberGroup(core: Core, msg: IncomingMessage): Promise<void> | undefined {
  return msg.chatType === 'group' && msg.conversationId ? rememberGroupOf(core, msg, msg.conversationId) : undefined;
}

async function rememberGroupOf(core: Core, msg: IncomingMessage, conversationId: string): Promise<void> {
  const ch = channelById(msg.channel);
  if (!ch?.capabilities.groupPush || !groupReachable(core, ch, conversationId)) return;
  const seen = lastWritten.get(core) ?? new Map<string, string>();
  lastWritten.set(core, seen);
  if (seen.get(ch.id) === conversationId) return;
  await core.models.StewardMeta.upsert({ key: groupKey(ch.id), value: conversationId });
  seen.set(ch.id, conversationId);
}

/**
 * The group for a notice on `ch`: the origin message's own group (through its reply handle, when
 * it has one), else the last group seen, else the channel's configured group; null when none is
 * reachable. A group the channel cannot push to by id (WeCom's AI bot chats) is never chosen, so a
 * single-use handle is never spent on a notice.
 */
export async function groupTarget(
  core: Core,
  ch: Channel,
  origin?: IncomingMessage,
  t?: Transaction,
): Promise<GroupTarget | null> {
  const own = origin?.channel === ch.id && origin.chatType === 'group' ? origin.conversationId : undefined;
  if (own && groupReachable(core, ch, own))
    return origin!.reply ? { kind: 'reply', lane: own, handle: origin!.reply } : { kind: 'group', lane: own };
  const remembered = (await core.models.StewardMeta.findByPk(groupKey(ch.id), { transaction: t }))?.value;
  if (remembered && groupReachable(core, ch, remembered)) return { kind: 'group', lane: remembered };
  return groupReachable(core, ch, 'default') ? { kind: 'group', lane: 'default' } : null;
}

/** The team groups a notice would reach now, by channel (for jobs choosing between group and admins). */
export async function teamGroups(core: Core): Promise<{ channel: string; group: string }[]> {
  const out: { channel: string; group: string }[] = [];
  for (const ch of enabledChannels(core).filter((c) => c.capabilities.groupPush)) {
    const target = await groupTarget(core, ch);
    if (target) out.push({ channel: ch.id, group: target.lane });
  }
  return out;
}

import type { Core } from '../../core/context.js';
import type { Channel, ChannelId } from './contract.js';
import { dingtalk } from './dingtalk/index.js';
import { feishu } from './feishu/index.js';
import { wecom } from './wecom/index.js';

/** Every messenger the bot speaks. Adding one: its folder under bot/channels/, and one entry here. */
export const CHANNELS: Channel[] = [wecom, dingtalk, feishu];

/** Channels added by tests (registerChannel); never used in production. */
const extra: Channel[] = [];

/** Every channel, enabled or not. */
export function allChannels(): Channel[] {
  return [...CHANNELS, ...extra];
}

/** The channel with this id (an outbox row's door, an identity's namespace), if there is one. */
export function channelById(id: ChannelId): Channel | undefined {
  return allChannels().find((c) => c.id === id);
}

/** The channels whose env block configures them, as `core.config.env` says. */
export function enabledChannels(core: Core): Channel[] {
  const env = core.config.env ?? {};
  return allChannels().filter((c) => c.configure(env).enabled);
}

/** Test seam: adds a channel (an in-memory fake) until the returned function is called. */
export function registerChannel(channel: Channel): () => void {
  if (channelById(channel.id)) throw new Error(`channel ${channel.id} is already registered`);
  extra.push(channel);
  return () => {
    const i = extra.indexOf(channel);
    if (i >= 0) extra.splice(i, 1);
  };
}

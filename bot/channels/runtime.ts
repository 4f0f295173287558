import type Router from '@koa/router';
import { ConfigError } from '../../core/config.js';
import type { Core } from '../../core/context.js';
import type { BotDeps } from '../commands/context.js';
import { handleMessage } from '../pipeline.js';
import type { Channel, ChannelRuntime, SocketReceiver } from './contract.js';
import { allChannels } from './registry.js';

/** Raised at start-up when an enabled channel's env block is wrong; one line per bad variable. */
export class ChannelConfigError extends ConfigError {
  constructor(readonly problems: string[]) {
    super(`配置错误 (configuration error): ${problems.join('; ')}`);
  }
}

/**
 * Validates every channel's env block and returns the enabled channels; throws ChannelConfigError
 * listing every problem (a bad value counts even where too little is set to enable the channel).
 */
export function checkChannels(core: Core): Channel[] {
  const env = core.config.env ?? {};
  const problems: string[] = [];
  const enabled: Channel[] = [];
  for (const ch of allChannels()) {
    const checked = ch.configure(env);
    problems.push(...checked.problems.map((p) => `${ch.label}: ${p}`));
    if (checked.enabled) enabled.push(ch);
  }
  if (problems.length) throw new ChannelConfigError(problems);
  return enabled;
}

/** What the runtime gives one channel: the pipeline, the outbox, the dispatcher. */
export function channelRuntime(
  deps: BotDeps,
  channel: Channel,
  kick: () => void,
  fastReplyMs?: number,
): ChannelRuntime {
  return {
    core: deps.core,
    log: deps.core.logger.child({ channel: channel.id }),
    handle: (msg) => handleMessage(deps, msg).then((r) => ({ replies: r.replies, duplicate: r.duplicate })),
    replyLater: (msg, replies) => deps.notifier.replyLater(msg, replies),
    kick,
    fastReplyMs,
  };
}

/** The enabled channels, each with its runtime. */
export interface MountedChannels {
  /** Adds every enabled channel's HTTP receivers. */
  routes(router: Router): void;
  /** The long connections of the enabled channels (each to be held under its own lease). */
  sockets: SocketReceiver[];
}

/** Builds the runtimes of the enabled channels (after checkChannels). */
export function mountChannels(
  deps: BotDeps,
  channels: Channel[],
  kick: () => void,
  fastReplyMs?: number,
): MountedChannels {
  const runtimes = channels.map((ch) => ({ ch, rt: channelRuntime(deps, ch, kick, fastReplyMs) }));
  return {
    routes(router) {
      for (const { ch, rt } of runtimes) ch.routes?.(router, rt);
    },
    sockets: runtimes.flatMap(({ ch, rt }) => ch.sockets?.(rt) ?? []),
  };
}

// The channel-socket bench's baseline: each channel's own long-connection receiver (the vendor SDK
// and our socket code) with a trivial pipeline that answers every message at once with an echo,
// sending it straight through the channel (no database, no outbox). Env: the fakes' env blocks.
import pino from 'pino';
import type { ChannelRuntime, SocketReceiver } from '../bot/channels/contract.js';
import { allChannels } from '../bot/channels/registry.js';
import { loadConfig } from '../core/config.js';
import type { Core } from '../core/context.js';

const env = { NODE_ENV: 'test', ...process.env } as Record<string, string>;
const logger = pino({ level: 'silent' });
const core = { config: loadConfig(env), logger, now: () => new Date() } as unknown as Core;
const receivers: SocketReceiver[] = [];
for (const channel of allChannels()) {
  if (!channel.configure(env).enabled) continue;
  const rt: ChannelRuntime = {
    core,
    log: logger,
    handle: async (msg) => ({ replies: [{ text: `收到: ${msg.text}` }], duplicate: false }),
    async replyLater(msg, replies) {
      for (const [i, reply] of replies.entries()) {
        const target = msg.reply
          ? { kind: 'reply' as const, handle: msg.reply }
          : { kind: 'user' as const, id: msg.userId };
        await channel.send(core, target, reply, `${msg.messageKey}#${i}`);
      }
    },
    kick: () => undefined,
  };
  receivers.push(...(channel.sockets?.(rt) ?? []));
}
// The DingTalk SDK announces connects on the console; stdout is how the bench sees readiness.
console.info = () => undefined;
await Promise.all(receivers.map((r) => r.start()));
process.stdout.write(`echo clients ready: ${receivers.map((r) => r.name).join(', ')}\n`);
process.on('SIGTERM', () => void Promise.all(receivers.map((r) => r.stop())).finally(() => process.exit(0)));

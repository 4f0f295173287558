/**
 * A second instance in its own process, for the crash test: holds one fake socket and prints
 * `started` / `stopped` lines; the test kills it with SIGKILL, so it never releases its lease.
 * Usage: node --import tsx test/helpers/lease-child.ts <name> <holder> <ttlMs> <renewMs>
 */
import { holdSockets } from '../../bot/channels/socket-holder.js';
import { openCore } from '../../core/boot.js';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';

const [name, holder, ttl, renew] = process.argv.slice(2);
const config = loadConfig(process.env);
const core = openCore(config, createLogger('silent'));
holdSockets(
  core,
  [
    {
      name: name!,
      start: async () => void process.stdout.write('started\n'),
      stop: async () => void process.stdout.write('stopped\n'),
    },
  ],
  { holder, ttlMs: Number(ttl), renewMs: Number(renew) },
);
// The holder's timers do not keep a process alive (the server or the SDK sockets do); this does.
setInterval(() => undefined, 60_000);

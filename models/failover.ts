import net from 'node:net';

/** One host of a DATABASE_URL that lists several: mysql://user:pass@node1:3306,node2:3306/db. */
export interface DbHost {
  host: string;
  port: number;
}

/** Whether something accepts TCP connections on host:port within `ms`. */
function accepts(h: DbHost, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: h.host, port: h.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A Sequelize beforeConnect hook for a list of hosts (cluster nodes): each new pooled connection
 * goes to the host in use while it accepts connections, else to the next one in the list that does,
 * which then stays in use (no flapping back while the first node recovers). Connections already
 * open to a node that died fail once (数据库暂时不可用) and are dropped by the pool; the next
 * request connects to the next node. When none answers, the connection attempt reports the
 * current host's error as before.
 */
export function failoverHook(
  hosts: DbHost[],
  probeMs = 1000,
): (config: { host?: string; port?: number }) => Promise<void> {
  let current = 0;
  return async (config) => {
    for (let i = 0; i < hosts.length; i++) {
      const k = (current + i) % hosts.length;
      if (await accepts(hosts[k]!, probeMs)) {
        current = k;
        break;
      }
    }
    config.host = hosts[current]!.host;
    config.port = hosts[current]!.port;
  };
}

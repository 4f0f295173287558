import net from 'node:net';

/**
 * A loopback port that was free a moment ago: for a server whose address must be known before it
 * starts (a PUBLIC_URL in its config, a second port), or for a port nothing listens on.
 */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  path: string;
}

/** A real HTTP receiver on 127.0.0.1 that records requests and answers with the statuses queued. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses for the next requests, in order; after that 200. 'hang' never answers. */
  answers: Array<number | 'hang'>;
  /** Resolves when `n` requests have arrived. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const hanging = new Set<http.ServerResponse>();
  const r = { received, answers: [] as Array<number | 'hang'> } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' });
      for (const w of waiters.filter((x) => received.length >= x.n)) w.resolve();
      const answer = r.answers.shift() ?? 200;
      if (answer === 'hang') hanging.add(res);
      else res.writeHead(answer, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.waitFor = (n) =>
    received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }));
  r.close = () =>
    new Promise((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

/**
 * A URL on 127.0.0.1 where nothing listens (connection refused): port 1 (tcpmux), which no
 * service here uses. A port freed a moment ago could be taken by a parallel test's server.
 */
export async function refusingUrl(): Promise<string> {
  const port = 1;
  const listening = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
  if (listening) throw new Error(`something listens on 127.0.0.1:${port}; the refusal tests need it closed`);
  return `http://127.0.0.1:${port}/hooks`;
}

import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { readRawBody } from '../../bot/http-door.js';

/** A Koa app answering with what readRawBody read (limit 1 KB), or the status it refused with; `settled` records each outcome. */
function rawBodyApp(settled: string[]): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    try {
      const body = await readRawBody(ctx, 1024);
      settled.push(`read ${body}`);
      ctx.body = `读到 ${body}`;
    } catch (err) {
      const status = (err as { status?: number }).status;
      settled.push(status ? `refused ${status}` : `failed: ${(err as Error).message}`);
      ctx.status = status ?? 400;
      ctx.body = 'bad request';
    }
  });
  return app;
}

/** A body sent in the given pieces (chunked, no Content-Length). */
const streamed = (pieces: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });

describe('readRawBody (every webhook reads its body through it)', () => {
  const settled: string[] = [];
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer(rawBodyApp(settled).callback()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(base, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

  it('reads a body sent in pieces, a character split between them, as one text', async () => {
    const bytes = Buffer.from('客户 C20260001', 'utf8');
    const res = await post(streamed([bytes.subarray(0, 4), bytes.subarray(4)]));
    expect([res.status, await res.text()]).toEqual([200, '读到 客户 C20260001']);
  });

  it('refuses a body over the limit with 413, declared or streamed, and stops reading it', async () => {
    settled.length = 0;
    const declared = await post('x'.repeat(2000));
    expect(declared.status).toBe(413);
    const big = await post(streamed([Buffer.alloc(800, 'a'), Buffer.alloc(800, 'b')])).catch(() => null);
    // The rest of an oversized body is not read: the client may see the 413 or a closed connection.
    if (big) expect(big.status).toBe(413);
    expect(settled).toEqual(['refused 413', 'refused 413']);
  });

  it('refuses (does not hang on) a sender who hangs up halfway with a 400, and the server goes on answering', async () => {
    settled.length = 0;
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part of it');
        setTimeout(() => (socket.destroy(), resolve()), 50);
      });
    });
    for (let i = 0; i < 50 && !settled.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(settled).toEqual(['refused 400']);
    const next = await post('客户 C20260002');
    expect([next.status, await next.text()]).toEqual([200, '读到 客户 C20260002']);
  });
});

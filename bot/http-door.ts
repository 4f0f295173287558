import type Koa from 'koa';
import type { Logger } from '../core/logger.js';
import type { ChannelRuntime, IncomingMessage, Reply } from './channels/contract.js';

/** Messengers wait ~5 s; anything slower than this is acknowledged and pushed later. */
export const FAST_REPLY_MS = 2_000;

/**
 * Reads the raw request body, refusing anything over `limit` bytes with 413. Read by events, not
 * `for await`: the stream's async iterator costs a dozen promises a request, and every chat
 * message comes this way.
 */
export function readRawBody(ctx: Koa.Context, limit = 64 * 1024): Promise<string> {
  // Koa's HTTP errors (a 4xx the error mapper answers as such), made to reject with.
  const refusal = (status: number, message: string): unknown => {
    try {
      return ctx.throw(status, message);
    } catch (err) {
      return err;
    }
  };
  const TOO_LARGE = 'body too large';
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) return Promise.reject(refusal(413, TOO_LARGE));
  const req = ctx.req;
  if (req.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: unknown, body?: string) => {
      req.off('data', onData).off('end', onEnd).off('error', cutOff).off('close', cutOff);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // As leaving a `for await` early did: the rest of the body is not read.
      req.destroy();
      done(refusal(413, TOO_LARGE));
    };
    const onEnd = () => done(null, Buffer.concat(chunks).toString('utf8'));
    // The sender hung up mid-body: bad input (a 400), not a server fault.
    const cutOff = () => done(refusal(400, '请求内容没有传完, 连接已断开。请重新提交。'));
    req.on('data', onData).on('end', onEnd).on('error', cutOff).on('close', cutOff);
  });
}

/**
 * Why a WeCom callback's `timestamp` (epoch seconds) is refused, or null when it is fresh.
 * Digits only: Number('abc') is NaN, and NaN compares false with everything, which once let a
 * forged timestamp skip the one-hour window.
 */
export function staleTimestamp(timestamp: string, nowMs: number, windowMs = 3600_000): string | null {
  if (!/^\d{1,12}$/.test(timestamp)) return 'timestamp is not epoch seconds';
  return Math.abs(nowMs - Number(timestamp) * 1000) > windowMs ? 'stale timestamp' : null;
}

/** Refuses a request at the protocol level: a 4xx and one log line, never a 500 or a state change. */
export function refuse(ctx: Koa.Context, log: Logger, status: number, reason: string): void {
  log.warn({ status, reason, path: ctx.path }, 'webhook refused');
  ctx.status = status;
  ctx.body = status === 401 ? 'invalid signature' : 'bad request';
}

/**
 * Runs the pipeline, waiting at most `rt.fastReplyMs` (FAST_REPLY_MS). Past that the answer is pushed through
 * the outbox when ready (`rt.replyLater`), and the caller answers the HTTP request empty.
 */
export async function handleWithDeadline(
  rt: Pick<ChannelRuntime, 'handle' | 'replyLater' | 'log' | 'fastReplyMs'>,
  msg: IncomingMessage,
): Promise<{ replies: Reply[]; duplicate: boolean } | null> {
  const work = rt.handle(msg);
  // One promise settled by whichever comes first (cheaper than Promise.race over a second one).
  const first = await new Promise<Awaited<typeof work> | null>((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), rt.fastReplyMs ?? FAST_REPLY_MS);
    work.then(
      (r) => (clearTimeout(timer), resolve(r)),
      (err: unknown) => (clearTimeout(timer), reject(err)),
    );
  });
  if (first) return first;
  work
    .then((r) => (r.duplicate ? undefined : rt.replyLater(msg, r.replies)))
    .catch((err: unknown) => rt.log.error({ err, correlationId: msg.correlationId }, 'late reply failed'));
  return null;
}

/** Replies as one chat text (passive replies carry a single message). */
export function joinReplies(replies: Reply[]): string {
  return replies.map((r) => (r.title ? `${r.title}\n${r.text}` : r.text)).join('\n\n');
}

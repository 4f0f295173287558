import type Koa from 'koa';
import { apiError } from './errors.js';

/** Bodies over this are refused with 413 (a ledger batch of 5,000 documents fits well inside). */
export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = () =>
  apiError('PAYLOAD_TOO_LARGE', `请求体超过 1 MB 上限。请分批提交 (例如把单据分成多次 /ledger/batch 调用)。`, {
    limitBytes: MAX_BODY_BYTES,
  });

/** Reads the raw body, refusing more than MAX_BODY_BYTES before buffering it all. */
export async function readRawBody(ctx: Koa.Context): Promise<string> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    // Keep reading (and dropping) so the client gets our 413 instead of a reset connection.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw tooLarge();
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses a JSON body. An empty body is `undefined`; anything else must be sent as
 * application/json (415 otherwise) and must parse (400 naming the problem otherwise).
 */
export function parseJsonBody(ctx: Koa.Context, raw: string): unknown {
  if (raw.trim() === '') return undefined;
  const type = ctx.get('content-type');
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw apiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `请求体必须是 JSON, 并带上请求头 Content-Type: application/json (收到的是「${type || '未设置'}」)。`,
      { contentType: type || null },
    );
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw apiError(
      'BAD_REQUEST',
      `请求体不是合法的 JSON: ${(err as Error).message}。请检查引号、逗号和括号是否成对。`,
      {},
    );
  }
}

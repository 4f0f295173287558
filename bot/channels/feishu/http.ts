import crypto from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Logger } from '../../../core/logger.js';
import type { ChannelRuntime } from '../contract.js';
import { safeEqual } from '../../crypto/wecom-crypto.js';
import { readRawBody, refuse } from '../../http-door.js';
import { settings } from './config.js';
import { feishuHandlers, type FeishuHandlers } from './dispatch.js';
import { lark } from './sdk.js';

/** Feishu's callback signature: sha256(timestamp + nonce + encrypt_key + raw body), hex. */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return crypto
    .createHash('sha256')
    .update(timestamp + nonce + encryptKey + body)
    .digest('hex');
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);

/** The JSON object `text()` yields; null when it throws or yields anything else. */
function jsonObject(text: () => string): Obj | null {
  try {
    return obj(JSON.parse(text()));
  } catch {
    return null;
  }
}

/** Why a signed callback's headers are refused (status and reason), or null when they check out. */
function signatureRefusal(ctx: Koa.Context, encryptKey: string, raw: string): [401 | 400, string] | null {
  const timestamp = ctx.get('x-lark-request-timestamp');
  const nonce = ctx.get('x-lark-request-nonce');
  if (!/^\d{1,13}$/.test(timestamp) || nonce.length > 128) return [400, 'bad timestamp or nonce'];
  if (!safeEqual(feishuSignature(timestamp, nonce, encryptKey, raw), ctx.get('x-lark-signature')))
    return [401, 'bad signature'];
  return null;
}

/** The Verification Token sits in the header (schema 2.0) or at the top (1.0). */
function tokenMatches(plain: Obj, verificationToken: string): boolean {
  const token = obj(plain.header)?.token ?? plain.token;
  return typeof token === 'string' && safeEqual(token, verificationToken);
}

/** Hands a checked event to the SDK's dispatcher; our own failure is a 503, which Feishu retries. */
async function dispatchEvent(
  ctx: Koa.Context,
  dispatcher: FeishuHandlers['dispatcher'],
  plain: Obj,
  log: Logger,
): Promise<void> {
  try {
    const result = await dispatcher.invoke(plain, { needCheck: false });
    ctx.body = result && typeof result === 'object' ? result : {};
  } catch (err) {
    // Our database failed: Feishu retries a non-200, and the claim was released for it.
    log.error({ err: (err as Error).message }, 'feishu callback failed');
    ctx.status = 503;
    ctx.body = { msg: 'retry later' };
  }
}

/**
 * The optional HTTP callback (FEISHU_MODE=http) at POST /webhooks/feishu. The SDK's adaptors would
 * re-serialise the parsed body for the signature and never check the Verification Token, so the
 * checks are done here on the raw body: signature, AES decryption (the SDK's AESCipher), token; only
 * then does the SDK's EventDispatcher see the plaintext. Anything forged or malformed gets a 4xx.
 */
export function mountFeishuHttp(router: Router, rt: ChannelRuntime): void {
  const s = settings(rt.core);
  if (!s || s.mode !== 'http' || !s.encryptKey || !s.verificationToken) return;
  const { encryptKey, verificationToken } = s;
  const log = rt.log.child({ receiver: 'feishu-http' });
  const cipher = new (lark().AESCipher)(encryptKey);
  const { dispatcher } = feishuHandlers(rt, s);

  router.post('/webhooks/feishu', async function feishuCallback(ctx) {
    let raw: string;
    try {
      raw = await readRawBody(ctx);
    } catch (err) {
      return refuse(ctx, log, (err as { status?: number }).status === 413 ? 413 : 400, 'unreadable body');
    }
    const encrypted = jsonObject(() => raw)?.encrypt;
    if (typeof encrypted !== 'string') return refuse(ctx, log, 400, 'body is not {"encrypt": …}');
    const signed = ctx.get('x-lark-signature') !== '';
    const refusal = signed ? signatureRefusal(ctx, encryptKey, raw) : null;
    if (refusal) return refuse(ctx, log, ...refusal);
    const plain = jsonObject(() => cipher.decrypt(encrypted));
    if (!plain) return refuse(ctx, log, 400, 'encrypt does not decrypt to a JSON object');
    if (!tokenMatches(plain, verificationToken)) return refuse(ctx, log, 401, 'bad verification token');
    if (plain.type === 'url_verification') {
      ctx.body = { challenge: typeof plain.challenge === 'string' ? plain.challenge : '' };
      return;
    }
    // Only the URL check may come unsigned: every event must carry the signature over its body.
    if (!signed) return refuse(ctx, log, 401, 'unsigned event');
    await dispatchEvent(ctx, dispatcher, plain, log);
  });
}

import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { ChannelRuntime } from '../contract.js';
import { safeEqual } from '../../crypto/wecom-crypto.js';
import { readRawBody, refuse } from '../../http-door.js';
import { settings } from './config.js';
import { feishuHandlers } from './dispatch.js';
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
    let outer: Obj | null = null;
    try {
      outer = obj(JSON.parse(raw));
    } catch {
      outer = null;
    }
    if (!outer || typeof outer.encrypt !== 'string') return refuse(ctx, log, 400, 'body is not {"encrypt": …}');
    const signature = ctx.get('x-lark-signature');
    const timestamp = ctx.get('x-lark-request-timestamp');
    const nonce = ctx.get('x-lark-request-nonce');
    if (signature) {
      if (!/^\d{1,13}$/.test(timestamp) || nonce.length > 128) return refuse(ctx, log, 400, 'bad timestamp or nonce');
      if (!safeEqual(feishuSignature(timestamp, nonce, encryptKey, raw), signature))
        return refuse(ctx, log, 401, 'bad signature');
    }
    let plain: Obj | null = null;
    try {
      plain = obj(JSON.parse(cipher.decrypt(outer.encrypt)));
    } catch {
      plain = null;
    }
    if (!plain) return refuse(ctx, log, 400, 'encrypt does not decrypt to a JSON object');
    const token = obj(plain.header)?.token ?? plain.token;
    if (typeof token !== 'string' || !safeEqual(token, verificationToken))
      return refuse(ctx, log, 401, 'bad verification token');
    if (plain.type === 'url_verification') {
      ctx.body = { challenge: typeof plain.challenge === 'string' ? plain.challenge : '' };
      return;
    }
    // Only the URL check may come unsigned: every event must carry the signature over its body.
    if (!signature) return refuse(ctx, log, 401, 'unsigned event');
    try {
      const result = await dispatcher.invoke(plain, { needCheck: false });
      ctx.body = result && typeof result === 'object' ? result : {};
    } catch (err) {
      // Our database failed: Feishu retries a non-200, and the claim was released for it.
      log.error({ err: (err as Error).message }, 'feishu callback failed');
      ctx.status = 503;
      ctx.body = { msg: 'retry later' };
    }
  });
}

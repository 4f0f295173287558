import type Koa from 'koa';
import type { Logger } from '../../../core/logger.js';
import { CallbackCryptoError, type CallbackCrypto, type SignedQuery } from '../../crypto/wecom-crypto.js';
import { readRawBody, refuse, staleTimestamp } from '../../http-door.js';

export type CallbackQuery = Required<SignedQuery>;

/** The signature fields of a WeCom callback's query string. */
export function callbackQuery(q: Record<string, unknown>): CallbackQuery {
  return {
    msg_signature: String(q.msg_signature ?? ''),
    timestamp: String(q.timestamp ?? ''),
    nonce: String(q.nonce ?? ''),
  };
}

/** Koa decodes a raw '+' in the query as a space; base64 never has spaces, so put them back. */
export const echoText = (v: unknown) => String(v ?? '').replace(/ /g, '+');

/** A bad signature is 401 (WeCom's -40001); any other failure to open a callback is 400. */
export function cryptoStatus(err: unknown): 401 | 400 {
  return err instanceof CallbackCryptoError && err.code === -40001 ? 401 : 400;
}

/** Answers a URL verification (GET) with the decrypted echostr. */
export function answerEcho(ctx: Koa.Context, log: Logger, crypto: CallbackCrypto): void {
  try {
    const echo = crypto.verifyAndDecrypt(callbackQuery(ctx.query), echoText(ctx.query.echostr));
    ctx.type = 'text/plain';
    ctx.body = echo;
  } catch (err) {
    refuse(ctx, log, cryptoStatus(err), (err as Error).message);
  }
}

/** How one door's envelope carries its ciphertext, and how its plaintext is read. */
export interface Envelope<T> {
  /** The ciphertext in the raw body, or undefined when the envelope has none. */
  sealed(raw: string): string | undefined;
  /** Said when `sealed` finds none. */
  missing: string;
  read(plain: string): T;
}

/**
 * Checks the timestamp, reads the body, verifies and decrypts the ciphertext and reads it;
 * refuses the request itself (413, 401 or 400) and returns null when any step fails.
 */
export async function openCallback<T>(
  ctx: Koa.Context,
  log: Logger,
  crypto: CallbackCrypto,
  q: CallbackQuery,
  envelope: Envelope<T>,
): Promise<T | null> {
  try {
    const stale = staleTimestamp(q.timestamp, Date.now());
    if (stale) {
      refuse(ctx, log, 401, stale);
      return null;
    }
    const ciphertext = envelope.sealed(await readRawBody(ctx));
    if (ciphertext === undefined) {
      refuse(ctx, log, 400, envelope.missing);
      return null;
    }
    return envelope.read(crypto.verifyAndDecrypt(q, ciphertext));
  } catch (err) {
    if ((err as { status?: number }).status === 413) refuse(ctx, log, 413, 'body too large');
    else refuse(ctx, log, cryptoStatus(err), (err as Error).message);
    return null;
  }
}

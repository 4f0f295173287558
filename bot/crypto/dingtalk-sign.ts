import { createHmac } from 'node:crypto';
import { safeEqual } from './wecom-crypto.js';

export type SignCheck = { ok: true } | { ok: false; reason: string };

/** base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)), DingTalk's robot signature. */
export function dingtalkRobotSign(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

/** Checks the `timestamp`/`sign` headers of a DingTalk app-robot HTTP callback. */
export function verifyDingtalkRobotSign(
  headers: { timestamp?: string; sign?: string },
  appSecret: string,
  nowMs: number,
  windowMs = 3600_000,
): SignCheck {
  const { timestamp, sign } = headers;
  if (!timestamp || !sign) return { ok: false, reason: 'missing timestamp or sign header' };
  // Digits only: Number() would accept "1e12", " 1", "0x1" and let a forged header reach the HMAC.
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'timestamp header is not epoch milliseconds' };
  // The body is not signed, so the window is the only bound on replaying a captured header pair.
  if (Math.abs(nowMs - Number(timestamp)) > windowMs)
    return { ok: false, reason: 'timestamp outside the allowed window' };
  if (!safeEqual(sign, dingtalkRobotSign(timestamp, appSecret))) return { ok: false, reason: 'sign mismatch' };
  return { ok: true };
}

/** The custom group robot webhook URL with 加签 `timestamp` and `sign` appended. */
export function dingtalkWebhookSignedUrl(baseUrl: string, secret: string, nowMs: number): string {
  const timestamp = String(Math.trunc(nowMs));
  const sign = encodeURIComponent(dingtalkRobotSign(timestamp, secret));
  // Appended rather than rebuilt with URL so the access_token part stays byte-identical.
  const sep = baseUrl.includes('?') ? '&' : '?';
  return `${baseUrl}${sep}timestamp=${timestamp}&sign=${sign}`;
}
